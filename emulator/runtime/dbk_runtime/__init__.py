"""dbk_runtime: runs Databricks notebooks locally on PySpark for the dbk emulator.

The emulator launches ``python -m dbk_runtime run --task task.json`` once per task run
(see docs/design/notebook-executor.md); ``python -m dbk_runtime notebook FILE`` runs a
notebook without the emulator, for tests and local experiments.
"""

__version__ = "0.1.0"
