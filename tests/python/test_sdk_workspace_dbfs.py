"""The official databricks-sdk against the emulator's Workspace and DBFS APIs: the SDK's
own request shapes, its multipart upload, and its error classes (which it derives from
the HTTP status and error_code exactly as it does for the real service)."""

import base64
import io
import json
import os
import urllib.request

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk import errors
from databricks.sdk.service import files, workspace

NOTEBOOK = (
    "# Databricks notebook source\n"
    "# MAGIC %md\n"
    "# MAGIC # Ingest\n"
    "\n"
    "# COMMAND ----------\n"
    "\n"
    "df = spark.range(10)\n"
    "display(df)\n"
)


@pytest.fixture(scope="module")
def w(emulator_url):
    return WorkspaceClient(host=emulator_url, token="dapi-test-token")


@pytest.fixture(autouse=True)
def clean(emulator_url):
    request = urllib.request.Request(emulator_url + "/__dbk/reset", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()


def test_notebook_import_export_roundtrip(w):
    w.workspace.mkdirs("/Users/uname@example.com/notebooks")
    path = "/Users/uname@example.com/notebooks/1_data_ingestion"
    w.workspace.import_(path=path, format=workspace.ImportFormat.SOURCE, language=workspace.Language.PYTHON,
                        content=base64.b64encode(NOTEBOOK.encode()).decode())
    info = w.workspace.get_status(path)
    assert info.object_type == workspace.ObjectType.NOTEBOOK
    assert info.language == workspace.Language.PYTHON
    assert info.object_id > 0
    exported = w.workspace.export(path, format=workspace.ExportFormat.SOURCE)
    assert base64.b64decode(exported.content).decode() == NOTEBOOK
    assert exported.file_type == "py"

    ipynb = json.loads(base64.b64decode(w.workspace.export(path, format=workspace.ExportFormat.JUPYTER).content))
    assert [c["cell_type"] for c in ipynb["cells"]] == ["markdown", "code"]

    listed = list(w.workspace.list("/Users/uname@example.com/notebooks"))
    assert [o.path for o in listed] == [path]


def test_workspace_upload_and_download(w):
    w.workspace.upload("/Shared/uploaded", io.BytesIO(NOTEBOOK.encode()), format=workspace.ImportFormat.SOURCE,
                       language=workspace.Language.PYTHON)
    with w.workspace.download("/Shared/uploaded") as f:
        assert f.read().decode() == NOTEBOOK
    w.workspace.upload("/Shared/uploaded", io.BytesIO(b"print(1)\n"), format=workspace.ImportFormat.SOURCE,
                       language=workspace.Language.PYTHON, overwrite=True)
    # The service writes the notebook header first in every SOURCE export.
    with w.workspace.download("/Shared/uploaded") as f:
        assert f.read() == b"# Databricks notebook source\nprint(1)\n"
    w.workspace.upload("/Shared/auto.py", io.BytesIO(NOTEBOOK.encode()), format=workspace.ImportFormat.AUTO)
    assert w.workspace.get_status("/Shared/auto").object_type == workspace.ObjectType.NOTEBOOK


@pytest.mark.parametrize("language,header", [
    (workspace.Language.PYTHON, "# Databricks notebook source"),
    (workspace.Language.SQL, "-- Databricks notebook source"),
    (workspace.Language.SCALA, "// Databricks notebook source"),
    (workspace.Language.R, "# Databricks notebook source"),
])
def test_source_export_starts_with_the_header(w, language, header):
    path = "/Shared/bare_%s" % language.value
    w.workspace.import_(path=path, format=workspace.ImportFormat.SOURCE, language=language,
                        content=base64.b64encode(b"x = 1\n").decode())
    exported = w.workspace.export(path, format=workspace.ExportFormat.SOURCE)
    assert base64.b64decode(exported.content).decode() == header + "\nx = 1\n"


def test_auto_upload_detects_notebooks_as_the_service(w):
    w.workspace.upload("/Shared/crlf.py", b"\xef\xbb\xbf# Databricks notebook source\r\nx = 1\r\n",
                       format=workspace.ImportFormat.AUTO)
    assert w.workspace.get_status("/Shared/crlf").object_type == workspace.ObjectType.NOTEBOOK
    w.workspace.upload("/Shared/query.SQL", b"-- Databricks notebook source\nSELECT 1\n",
                       format=workspace.ImportFormat.AUTO)
    assert w.workspace.get_status("/Shared/query").language == workspace.Language.SQL
    w.workspace.upload("/Shared/plain.py", b"x = 1\n", format=workspace.ImportFormat.AUTO)
    assert w.workspace.get_status("/Shared/plain.py").object_type == workspace.ObjectType.FILE


def test_source_import_without_language_is_an_empty_archive(w):
    with pytest.raises(errors.BadRequest) as empty:
        w.workspace.import_(path="/Shared/nolang", format=workspace.ImportFormat.SOURCE,
                            content=base64.b64encode(b"x = 1\n").decode())
    assert str(empty.value) == "The zip archive contains no items"


def test_workspace_errors(w):
    with pytest.raises(errors.NotFound) as missing:
        w.workspace.get_status("/Users/nobody/x")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    content = base64.b64encode(b"x = 1").decode()
    w.workspace.import_(path="/Shared/nb", language=workspace.Language.PYTHON, content=content)
    with pytest.raises(errors.ResourceAlreadyExists):
        w.workspace.import_(path="/Shared/nb", language=workspace.Language.PYTHON, content=content)
    w.workspace.mkdirs("/Shared/dir/sub")
    with pytest.raises(errors.DatabricksError) as not_empty:
        w.workspace.delete("/Shared/dir")
    assert not_empty.value.error_code == "DIRECTORY_NOT_EMPTY"
    w.workspace.delete("/Shared/dir", recursive=True)
    with pytest.raises(errors.NotFound):
        w.workspace.get_status("/Shared/dir")
    with pytest.raises(errors.NotFound):
        w.workspace.import_(path="/Shared/no/parent", language=workspace.Language.PYTHON, content=content)


def test_dbfs_upload_download_5mb(w):
    payload = os.urandom(5 * 1024 * 1024 + 123)
    w.dbfs.upload("/FileStore/big.bin", io.BytesIO(payload))
    status = w.dbfs.get_status("dbfs:/FileStore/big.bin")
    assert status.file_size == len(payload)
    assert status.is_dir is False
    assert status.path == "/FileStore/big.bin"
    with w.dbfs.download("/FileStore/big.bin") as f:
        assert f.read() == payload
    with pytest.raises(errors.ResourceAlreadyExists):
        w.dbfs.upload("/FileStore/big.bin", io.BytesIO(b"again"))
    w.dbfs.upload("/FileStore/big.bin", io.BytesIO(b"again"), overwrite=True)
    with w.dbfs.download("/FileStore/big.bin") as f:
        assert f.read() == b"again"


def test_dbfs_put_read_list_mkdirs_move_delete(w):
    w.dbfs.mkdirs("/data/raw")
    w.dbfs.put("/data/raw/a.csv", contents=base64.b64encode(b"a,b\n1,2\n").decode())
    read = w.dbfs.read("/data/raw/a.csv", offset=2, length=100)
    assert read.bytes_read == 6
    assert base64.b64decode(read.data) == b"b\n1,2\n"
    names = [f.path for f in w.dbfs.list("/data/raw")]
    assert names == ["/data/raw/a.csv"]
    w.dbfs.move("/data/raw", "/data/moved")
    assert [f.path for f in w.dbfs.list("/data/moved")] == ["/data/moved/a.csv"]
    with pytest.raises(errors.NotFound):
        w.dbfs.get_status("/data/raw")
    with pytest.raises(errors.NotFound):
        w.dbfs.move("/data/raw", "/data/elsewhere")
    w.dbfs.put("/data/other", contents=base64.b64encode(b"o").decode())
    with pytest.raises(errors.ResourceAlreadyExists):
        w.dbfs.move("/data/other", "/data/moved")
    with pytest.raises(errors.DatabricksError) as not_empty:
        # The SDK's DbfsExt.delete refuses folders client-side; call the raw API.
        files.DbfsAPI.delete(w.dbfs, "/data/moved")
    assert not_empty.value.error_code == "IO_ERROR"
    w.dbfs.delete("/data/moved", recursive=True)
    assert not w.dbfs.exists("/data/moved")


def test_dbfs_limits_and_errors(w):
    with pytest.raises(errors.DatabricksError) as too_big:
        w.dbfs.put("/big", contents=base64.b64encode(b"x" * (1024 * 1024 + 1)).decode())
    assert too_big.value.error_code == "MAX_BLOCK_SIZE_EXCEEDED"
    w.dbfs.put("/small", contents=base64.b64encode(b"x").decode())
    with pytest.raises(errors.DatabricksError) as read_big:
        w.dbfs.read("/small", length=2 * 1024 * 1024)
    assert read_big.value.error_code == "MAX_READ_SIZE_EXCEEDED"
    with pytest.raises(errors.NotFound) as missing:
        w.dbfs.read("/nothing")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(errors.NotFound):
        w.dbfs.add_block(handle=123456789, data=base64.b64encode(b"x").decode())


def test_sdk_retries_injected_429_and_503(w, emulator_url):
    rule = {"method": "GET", "path_pattern": "/api/2.0/dbfs/get-status", "status": 429,
            "headers": {"Retry-After": "1"}, "times": 1}
    for body in (rule, dict(rule, status=503)):
        request = urllib.request.Request(emulator_url + "/__dbk/faults", data=json.dumps(body).encode(),
                                         method="POST", headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request).read()
    assert w.dbfs.get_status("/").is_dir is True
