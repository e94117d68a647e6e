"""The Spark session a notebook sees, configured like a small Databricks cluster.

Why the patches: Spark has no ``dbfs:`` file system locally, and a Hadoop FileSystem for it
would need compiled Java. Instead, path arguments of the DataFrame reader/writer and of
pyspark.ml's save/load are rewritten from dbfs:/x to <dbfs_root>/x before they reach the JVM.

Managed tables: the warehouse is <dbfs_root>/user/hive/warehouse, and the catalog is
Spark's in-memory one (no Hive/Derby metastore, so concurrent runs never lock each other).
Persistence comes from the folders themselves: every folder in the warehouse is registered
as a table when the session starts and again before each cell, and ``saveAsTable`` writes
the folder first and registers it after. Locally tables are Parquet (Databricks uses Delta;
``format("delta")`` is accepted and written as Parquet, with a warning on stderr).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import sys
import uuid

from .dbfs import Dbfs

WAREHOUSE = "/user/hive/warehouse"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _warn(msg: str) -> None:
    print(f"dbk_runtime: {msg}", file=sys.stderr, flush=True)


def build_session(master: str, dbfs: Dbfs, app_name: str = "dbk-notebook"):
    """Create (or return) the process's SparkSession with local-friendly settings."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    warehouse = dbfs.local(WAREHOUSE)
    os.makedirs(warehouse, exist_ok=True)
    driver_mem = os.environ.get("DBK_SPARK_DRIVER_MEMORY", "3g")
    partitions = os.environ.get("DBK_SPARK_SHUFFLE_PARTITIONS", "4")
    tmp = os.path.join(dbfs.root, "..", "spark-tmp")
    builder = (
        SparkSession.builder.master(master or "local[*]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", driver_mem)
        .config("spark.sql.shuffle.partitions", partitions)
        .config("spark.default.parallelism", partitions)
        .config("spark.sql.warehouse.dir", "file://" + warehouse)
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.sql.sources.default", "parquet")
        .config("spark.local.dir", os.path.abspath(tmp))
        .config("spark.sql.execution.arrow.pyspark.enabled", "false")
    )
    extra = os.environ.get("DBK_SPARK_CONF", "")
    for item in filter(None, (s.strip() for s in extra.split(";"))):
        key, _, value = item.partition("=")
        builder = builder.config(key.strip(), value.strip())
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(os.environ.get("DBK_SPARK_LOG_LEVEL", "WARN"))
    _no_checksum_files(spark)
    prepare_session(spark, dbfs)
    return spark


def prepare_session(spark, dbfs: Dbfs) -> None:
    """What every notebook's session needs in its own Python process: dbfs:/ paths, tables."""
    install_path_mapping(dbfs)
    install_tables(spark, dbfs)
    register_warehouse_tables(spark, dbfs)


def _no_checksum_files(spark) -> None:
    """Stop the driver's local file system writing .crc side files, so DBFS listings show
    what Databricks shows (the cached FileSystem instance is shared by later writes)."""
    try:
        jvm = spark.sparkContext._jvm
        fs = jvm.org.apache.hadoop.fs.FileSystem.getLocal(spark.sparkContext._jsc.hadoopConfiguration())
        fs.setWriteChecksum(False)
        fs.setVerifyChecksum(False)
    except Exception as exc:  # cosmetic only
        _warn(f"could not turn off checksum files: {exc}")


# --------------------------------------------------------------------------- paths

_installed: dict[str, Dbfs] = {}


def _map_first_arg(dbfs_getter, fn, path_kw=("path", "paths")):
    """Wrap a reader/writer/ML method so its path arguments are rewritten.

    Every positional argument goes through ``spark_path``; that only changes dbfs:/ and
    /dbfs/ strings, so format names, schemas and options pass through untouched.
    """
    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        d = dbfs_getter()
        if d is not None:
            args = tuple(d.spark_path(a) for a in args)
            for k in path_kw:
                if k in kwargs:
                    kwargs[k] = d.spark_path(kwargs[k])
        return fn(self, *args, **kwargs)

    wrapper.__dbk_wrapped__ = True
    return wrapper


def _patch(cls, name, make):
    fn = getattr(cls, name, None)
    if fn is None or getattr(fn, "__dbk_wrapped__", False):
        return
    setattr(cls, name, make(fn))


def install_path_mapping(dbfs: Dbfs) -> None:
    """Rewrite dbfs:/ paths in DataFrame I/O and ML persistence (idempotent, per process)."""
    _installed["dbfs"] = dbfs
    get = lambda: _installed.get("dbfs")  # noqa: E731
    from pyspark.sql.readwriter import DataFrameReader, DataFrameWriter

    for name in ("load", "csv", "json", "parquet", "text", "orc"):
        _patch(DataFrameReader, name, lambda fn: _map_first_arg(get, fn))
    for name in ("save", "csv", "json", "parquet", "text", "orc"):
        _patch(DataFrameWriter, name, lambda fn: _map_first_arg(get, fn))

    def option_wrap(fn):
        @functools.wraps(fn)
        def wrapper(self, key, value):
            if str(key).lower() == "path" and get() is not None:
                value = get().spark_path(value)
            return fn(self, key, value)
        wrapper.__dbk_wrapped__ = True
        return wrapper

    def options_wrap(fn):
        @functools.wraps(fn)
        def wrapper(self, **opts):
            if "path" in opts and get() is not None:
                opts["path"] = get().spark_path(opts["path"])
            return fn(self, **opts)
        wrapper.__dbk_wrapped__ = True
        return wrapper

    for cls in (DataFrameReader, DataFrameWriter):
        _patch(cls, "option", option_wrap)
        _patch(cls, "options", options_wrap)

    def format_wrap(fn):
        @functools.wraps(fn)
        def wrapper(self, source):
            if str(source).lower() == "delta":
                _warn("Delta is not available locally; using Parquet")
                source = "parquet"
            self._dbk_format = source
            return fn(self, source)
        wrapper.__dbk_wrapped__ = True
        return wrapper

    _patch(DataFrameReader, "format", format_wrap)
    _patch(DataFrameWriter, "format", format_wrap)

    from pyspark.ml import util as mlutil
    from pyspark.ml import pipeline as mlpipeline

    for cls in (mlutil.MLWriter, mlutil.JavaMLWriter):
        _patch(cls, "save", lambda fn: _map_first_arg(get, fn))
    readers = [mlutil.JavaMLReader, mlutil.DefaultParamsReader,
               mlpipeline.PipelineReader, mlpipeline.PipelineModelReader]
    for cls in readers:
        _patch(cls, "load", lambda fn: _map_first_arg(get, fn))


# --------------------------------------------------------------------------- tables

def _table_location(dbfs: Dbfs, db: str, table: str) -> str:
    base = dbfs.local(WAREHOUSE)
    return os.path.join(base, table) if db == "default" else os.path.join(base, f"{db}.db", table)


def _split_name(spark, name: str) -> tuple[str, str]:
    parts = [p.strip("`") for p in name.split(".")]
    if len(parts) == 3:  # catalog.db.table (Unity Catalog style): catalog ignored locally
        parts = parts[1:]
    if len(parts) == 2:
        return parts[0].lower(), parts[1].lower()
    return spark.catalog.currentDatabase().lower(), parts[0].lower()


def _is_table_dir(path: str) -> bool:
    try:
        names = os.listdir(path)
    except OSError:
        return False
    return any(n.endswith(".parquet") or n == "_SUCCESS" or "=" in n for n in names)


def _register(spark, db: str, table: str, location: str) -> None:
    if db != "default":
        spark.sql(f"CREATE DATABASE IF NOT EXISTS `{db}`")
    spark.sql(f"CREATE TABLE IF NOT EXISTS `{db}`.`{table}` USING parquet LOCATION '{location}'")
    if any("=" in n for n in os.listdir(location)):
        spark.sql(f"ALTER TABLE `{db}`.`{table}` RECOVER PARTITIONS")


def register_warehouse_tables(spark, dbfs: Dbfs) -> None:
    """Register every table folder of the warehouse that the catalog does not know yet.

    This is how tables written by earlier runs (other processes) appear in this one.
    """
    base = dbfs.local(WAREHOUSE)
    if not os.path.isdir(base):
        return
    for entry in sorted(os.listdir(base)):
        path = os.path.join(base, entry)
        if entry.startswith((".", "_")) or not os.path.isdir(path):
            continue
        if entry.endswith(".db"):
            db = entry[:-3]
            for sub in sorted(os.listdir(path)):
                sp = os.path.join(path, sub)
                if _IDENT.match(sub) and _is_table_dir(sp) and not _known(spark, db, sub):
                    _try_register(spark, db, sub, sp)
        elif _IDENT.match(entry) and _is_table_dir(path) and not _known(spark, "default", entry):
            _try_register(spark, "default", entry, path)


def _known(spark, db, table):
    # A catalog lookup. spark.catalog.listDatabases()/listTables() run a Spark job, which on a
    # warm cluster waits behind another run's job that holds every executor slot: a new
    # notebook could not even start.
    return spark.catalog.tableExists(f"{db}.{table}")


def _try_register(spark, db, table, path):
    try:
        _register(spark, db, table, path)
    except Exception as exc:  # a half-written or foreign folder must not stop the notebook
        _warn(f"could not register table {db}.{table} from {path}: {exc}")


def install_tables(spark, dbfs: Dbfs) -> None:
    """Make saveAsTable write the warehouse folder first, then register it."""
    from pyspark.sql.readwriter import DataFrameWriter

    def mode_wrap(fn):
        @functools.wraps(fn)
        def wrapper(self, saveMode):
            self._dbk_mode = saveMode
            return fn(self, saveMode)
        wrapper.__dbk_wrapped__ = True
        return wrapper

    _patch(DataFrameWriter, "mode", mode_wrap)

    def save_as_table_wrap(orig):
        @functools.wraps(orig)
        def save_as_table(self, name, format=None, mode=None, partitionBy=None, **options):
            sess = self._spark
            if format is not None:
                self.format(format)
            if mode is not None:
                self.mode(mode)
            if partitionBy is not None:
                self.partitionBy(partitionBy)
            if options:
                self.options(**options)
            fmt = str(getattr(self, "_dbk_format", "parquet")).lower()
            if fmt not in ("parquet", "delta"):
                return orig(self, name)  # other formats: Spark's own managed-table path
            save_mode = str(getattr(self, "_dbk_mode", "errorifexists")).lower()
            db, table = _split_name(sess, name)
            exists = sess.catalog.tableExists(f"{db}.{table}")
            if exists and save_mode in ("error", "errorifexists", "default"):
                return orig(self, name)  # raises TABLE_OR_VIEW_ALREADY_EXISTS like Spark
            if exists and save_mode == "ignore":
                return None
            loc = _table_location(dbfs, db, table)
            if exists and save_mode == "append":
                self.mode("append").parquet("file://" + loc)
                sess.catalog.refreshTable(f"`{db}`.`{table}`")
                return None
            # create or overwrite: write aside, then swap, so a query reading the old
            # table (even this one) is never cut short and readers never see half a table
            parent = os.path.dirname(loc)
            os.makedirs(parent, exist_ok=True)
            tmp = os.path.join(parent, f".tmp-{table}-{uuid.uuid4().hex[:8]}")
            self.mode("overwrite").format("parquet").save("file://" + tmp)
            if exists:
                sess.sql(f"DROP TABLE IF EXISTS `{db}`.`{table}`")
            old = None
            if os.path.exists(loc):
                old = os.path.join(parent, f".old-{table}-{uuid.uuid4().hex[:8]}")
                os.rename(loc, old)
            os.rename(tmp, loc)
            if old:
                shutil.rmtree(old, ignore_errors=True)
            _register(sess, db, table, loc)
            sess.catalog.refreshByPath("file://" + loc)
            return None

        save_as_table.__dbk_wrapped__ = True
        return save_as_table

    _patch(DataFrameWriter, "saveAsTable", save_as_table_wrap)
