"""The runtime on real Spark: dbfs:/ paths and managed tables survive the process."""

from conftest import run_notebook, write_notebook


def test_tables_files_and_models_persist_across_runtime_processes(tmp_path):
    dbfs = tmp_path / "dbfs"
    writer = write_notebook(
        tmp_path / "ws" / "writer.py",
        "df = spark.range(12).withColumnRenamed('id', 'v')\n"
        "df.write.mode('overwrite').saveAsTable('t_persist')\n"
        "df.where('v < 5').write.format('delta').mode('overwrite').saveAsTable('t_small')\n"
        "df.write.mode('overwrite').parquet('dbfs:/out/parquet')\n"
        "spark.table('t_persist').where('v % 2 = 0').write.mode('overwrite').saveAsTable('t_persist')\n",
        "from pyspark.ml import Pipeline\n"
        "from pyspark.ml.feature import VectorAssembler\n"
        "m = Pipeline(stages=[VectorAssembler(inputCols=['v'], outputCol='f')]).fit(df)\n"
        "m.write().overwrite().save('dbfs:/storage/models/test.pqt')\n")
    res, proc = run_notebook(writer, dbfs)
    assert res["result_state"] == "SUCCESS", proc.stderr[-3000:]
    warehouse = dbfs / "user" / "hive" / "warehouse"
    assert (warehouse / "t_persist").is_dir() and (warehouse / "t_small").is_dir()
    assert any(p.suffix == ".parquet" for p in (dbfs / "out" / "parquet").iterdir())
    assert (dbfs / "storage" / "models" / "test.pqt" / "metadata").is_dir()
    assert not list(dbfs.rglob("*.crc"))

    reader = write_notebook(
        tmp_path / "ws" / "reader.py",
        "from pyspark.ml import PipelineModel\n"
        "m = PipelineModel.load('dbfs:/storage/models/test.pqt')\n"
        "n_model = m.transform(spark.table('t_small')).count()\n"
        "n_even = spark.table('t_persist').count()\n"
        "n_file = spark.read.parquet('/dbfs/out/parquet').count()\n"
        "n_sql = spark.sql('SELECT count(*) AS c FROM t_small').first().c\n"
        "dbutils.notebook.exit(f'{n_even} {n_model} {n_file} {n_sql}')\n")
    res, proc = run_notebook(reader, dbfs)
    assert res["result_state"] == "SUCCESS", proc.stderr[-3000:]
    assert res["notebook_output"]["result"] == "6 5 12 5"
