"""The official databricks-sdk against the emulator's Pipelines API (docs/emulator.md,
"Pipelines"): settings are kept as the service keeps them, and an update, which the emulator
cannot run, ends FAILED with an event that says so."""

import time

import pytest
from databricks.sdk import WorkspaceClient, errors
from databricks.sdk.service.pipelines import NotebookLibrary, PipelineLibrary, UpdateInfoState


@pytest.fixture(scope="module")
def w(emulator_url):
    return WorkspaceClient(host=emulator_url, token="dapi-test-token")


def wait_update(w, pipeline_id, update_id, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        update = w.pipelines.get_update(pipeline_id, update_id).update
        if update.state not in (UpdateInfoState.QUEUED, UpdateInfoState.INITIALIZING):
            return update
        assert time.monotonic() < deadline, update
        time.sleep(0.1)


def test_pipeline_life_cycle(w):
    libraries = [PipelineLibrary(notebook=NotebookLibrary(path="/Users/sdk@example.com/dlt"))]
    created = w.pipelines.create(name="sdk pipeline", libraries=libraries, development=True,
                                 configuration={"k": "v"})
    pipeline_id = created.pipeline_id
    got = w.pipelines.get(pipeline_id)
    assert got.name == "sdk pipeline"
    assert got.spec.id == pipeline_id
    assert got.spec.libraries[0].notebook.path == "/Users/sdk@example.com/dlt"
    assert got.spec.configuration == {"k": "v"}
    assert got.state.value == "IDLE"

    with pytest.raises(errors.ResourceConflict):
        w.pipelines.create(name="sdk pipeline")
    dry = w.pipelines.create(name="sdk pipeline", dry_run=True, allow_duplicate_names=True)
    assert dry.pipeline_id is None and dry.effective_settings.name == "sdk pipeline"
    assert pipeline_id in [p.pipeline_id for p in w.pipelines.list_pipelines(
        filter="name LIKE 'sdk%'")]

    started = w.pipelines.start_update(pipeline_id, full_refresh=True)
    update = wait_update(w, pipeline_id, started.update_id)
    assert update.state == UpdateInfoState.FAILED
    assert update.full_refresh is True
    events = list(w.pipelines.list_pipeline_events(pipeline_id))
    errors_logged = [e for e in events if e.level.value == "ERROR"]
    assert len(errors_logged) == 1
    assert "does not run Delta Live Tables pipelines" in errors_logged[0].message
    assert [e.message for e in events][-1].endswith("started by API_CALL.")  # oldest last

    w.pipelines.delete(pipeline_id)
    with pytest.raises(errors.NotFound):
        w.pipelines.get(pipeline_id)


def test_invalid_settings_and_paging(w):
    with pytest.raises(errors.InvalidParameterValue):
        w.pipelines.create(name="")
    ids = [w.pipelines.create(name="page %d" % i).pipeline_id for i in range(3)]
    listed = [p.pipeline_id for p in w.pipelines.list_pipelines(max_results=2,
                                                                filter="name LIKE 'page %'")]
    assert listed == ids  # id order, across pages
    with pytest.raises(errors.InvalidParameterValue):
        list(w.pipelines.list_pipelines(filter="creator = 'x'"))
