"""The emulator's web pages in a real browser (headless Chromium over the DevTools Protocol).

An emulator runs a small pipeline (a job that succeeds, one that fails, one that runs until
cancelled) and the browser opens the pages a user would: the job list, the run pages at the
URL the Jobs API hands out, the job page, the workspace and DBFS browsers, the clusters list.
Untrusted notebook output containing markup must arrive as text and never run. Screenshots of
each page are kept in $DBK_BROWSER_ARTIFACTS (CTest: <build>/browser-artifacts).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from cdp import Browser  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DBK = os.environ.get("DBK_BIN", "")
ARTIFACTS = os.environ.get("DBK_BROWSER_ARTIFACTS", os.path.join(REPO, "build", "browser-artifacts"))
CLUSTER = "0101-000000-dbklocal"  # the emulator's all-purpose cluster

# Markup in a notebook's output and exit value: shown as text, never run.
HOSTILE = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"
NOTEBOOKS = {
    "succeeds": [
        'dbutils.widgets.text("who", "nobody")\nprint("hello " + dbutils.widgets.get("who"))',
        f"print({HOSTILE!r})",
        f"dbutils.notebook.exit({HOSTILE!r})",
    ],
    "fails": ['print("reading the input")', 'raise ValueError("the input table is empty")'],
    "runs long": ["import time\nprint('waiting')\ntime.sleep(600)"],
}
FOLDER = "/Shared/web pages"


class Emulator:
    def __init__(self, token: str = ""):
        self.token = token
        self.state = os.path.join(ARTIFACTS, "state-token" if token else "state")
        subprocess.run(["rm", "-rf", self.state], check=True)
        os.makedirs(self.state)
        env = dict(os.environ)
        env.pop("DBK_EMULATOR_TOKEN", None)
        if token:
            env["DBK_EMULATOR_TOKEN"] = token  # not --token: that shows in the process list
        self.log = open(self.state + ".log", "w")
        self.proc = subprocess.Popen([DBK, "emulator", "--host", "127.0.0.1", "--port", "0",
                                      "--state", self.state, "--python", sys.executable],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, env=env)
        self.url = self.proc.stdout.readline().strip()
        assert self.url.startswith("http://127.0.0.1:"), f"the emulator did not start: {self.url!r}"

    def call(self, method: str, path: str, body: dict | None = None, **query) -> dict:
        url = f"{self.url}/api/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")

    def run(self, run_id: int) -> dict:
        return self.call("GET", "2.1/jobs/runs/get", run_id=run_id)

    def wait_run(self, run_id: int, done, what: str, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            run = self.run(run_id)
            if done(run["state"]):
                return run
            assert time.monotonic() < deadline, f"run {run_id} never {what}: {run['state']}"
            time.sleep(0.2)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.log.close()


def notebook_source(cells):
    return "# Databricks notebook source\n" + "\n\n# COMMAND ----------\n\n".join(cells) + "\n"


@pytest.fixture(scope="module")
def pipeline():
    assert DBK and os.access(DBK, os.X_OK), "DBK_BIN must name the dbk binary (CTest sets it)"
    os.makedirs(ARTIFACTS, exist_ok=True)
    emulator = Emulator()
    try:
        emulator.call("POST", "2.0/workspace/mkdirs", {"path": FOLDER})
        jobs = {}
        for name, cells in NOTEBOOKS.items():
            path = f"{FOLDER}/{name}"
            emulator.call("POST", "2.0/workspace/import", {
                "path": path, "format": "SOURCE", "language": "PYTHON", "overwrite": True,
                "content": base64.b64encode(notebook_source(cells).encode()).decode()})
            settings = {"name": f"web {name}", "max_concurrent_runs": 1,
                        "tasks": [{"task_key": name.replace(" ", "_"), "existing_cluster_id": CLUSTER,
                                   "notebook_task": {"notebook_path": path,
                                                     "base_parameters": {"who": "the job"}}}]}
            if name == "succeeds":
                settings["schedule"] = {"quartz_cron_expression": "0 0 5 * * ?", "timezone_id": "UTC",
                                        "pause_status": "PAUSED"}
            jobs[name] = emulator.call("POST", "2.1/jobs/create", settings)["job_id"]
        emulator.call("POST", "2.0/dbfs/mkdirs", {"path": "/web-pages"})
        emulator.call("POST", "2.0/dbfs/put", {"path": "/web-pages/readings.csv", "overwrite": True,
                                                "contents": base64.b64encode(b"t,v\n1,2\n").decode()})
        runs = {name: emulator.call("POST", "2.1/jobs/run-now",
                                    {"job_id": jobs[name], "notebook_params": {"who": "the browser"}}
                                    if name == "succeeds" else {"job_id": jobs[name]})["run_id"]
                for name in ("succeeds", "fails")}
        for name in ("succeeds", "fails"):
            emulator.wait_run(runs[name], lambda s: s["life_cycle_state"] == "TERMINATED", "ended")
        runs["runs long"] = emulator.call("POST", "2.1/jobs/run-now", {"job_id": jobs["runs long"]})["run_id"]
        emulator.wait_run(runs["runs long"], lambda s: s["life_cycle_state"] == "RUNNING", "started")
        yield emulator, jobs, runs
    finally:
        emulator.stop()


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


def shot(browser, name):
    browser.screenshot(os.path.join(ARTIFACTS, name + ".png"))


def test_the_pages_carry_their_security_headers_and_serve_only_their_files(pipeline):
    emulator, _, _ = pipeline
    with urllib.request.urlopen(emulator.url + "/?o=0", timeout=10) as response:
        headers = response.headers
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["Cache-Control"] == "no-cache"
    with urllib.request.urlopen(emulator.url + "/web/dbk.js", timeout=10) as response:
        assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    for path in ("/web/../index.html", "/web/%2e%2e/%2e%2e/etc/passwd", "/web/", "/web/index.html",
                 "/emulator/web/dbk.js"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(emulator.url + path, timeout=10)
        assert refused.value.code == 404, path


def test_the_job_list_shows_the_jobs_with_their_last_run(pipeline, browser):
    emulator, jobs, _ = pipeline
    browser.open(emulator.url + "/")
    browser.wait_for("document.querySelectorAll('main tbody tr').length === 3", what="three jobs")
    rows = browser.evaluate("Array.from(document.querySelectorAll('main tbody tr'))"
                            ".map(r => Array.from(r.cells).map(c => c.textContent))")
    by_name = {row[0]: row for row in rows}
    assert set(by_name) == {"web succeeds", "web fails", "web runs long"}
    assert by_name["web fails"][1] == str(jobs["fails"])
    assert by_name["web succeeds"][2] == "0 0 5 * * ? (UTC), paused"
    assert by_name["web fails"][3].startswith("FAILED")
    assert by_name["web succeeds"][3].startswith("SUCCESS")
    assert by_name["web runs long"][3].startswith("RUNNING")
    shot(browser, "jobs")


def test_the_run_page_url_of_a_failed_run_shows_the_error_and_trace(pipeline, browser):
    emulator, jobs, runs = pipeline
    run = emulator.run(runs["fails"])
    assert run["run_page_url"] == f"{emulator.url}/?o=0#job/{jobs['fails']}/run/{runs['fails']}"
    browser.open(run["run_page_url"])
    browser.wait_for("document.querySelector('.task pre.error')", what="the task's error")
    assert "the input table is empty" in browser.texts(".task pre.error")[0]
    assert "ValueError" in browser.texts(".task pre.trace")[0]
    assert browser.texts("h1 .badge") == ["FAILED"]
    assert "reading the input" in browser.texts(".task pre.logs")[0]
    assert browser.evaluate("!!document.getElementById('repair-run') && !!document.getElementById('run-again')")
    shot(browser, "run-failed")


def test_notebook_output_with_markup_is_shown_as_text_and_never_runs(pipeline, browser):
    emulator, jobs, runs = pipeline
    browser.open(f"{emulator.url}/#job/{jobs['succeeds']}/run/{runs['succeeds']}")
    browser.wait_for("document.querySelector('.task pre.result')", what="the exit value")
    assert browser.texts(".task pre.result") == [HOSTILE]
    assert HOSTILE in browser.texts(".task pre.logs")[0]
    assert "hello the browser" in browser.texts(".task pre.logs")[0]
    assert browser.evaluate("window.__pwned === undefined")
    assert browser.evaluate("document.querySelectorAll('main script, main img').length") == 0
    assert browser.texts("h1 .badge") == ["SUCCESS"]
    facts = browser.evaluate("document.querySelector('dl.facts').textContent")
    assert "Trigger" in facts and "ONE_TIME" in facts and "who = the browser" in facts
    shot(browser, "run-succeeded")


def test_cancel_on_the_page_of_a_live_run_cancels_it(pipeline, browser):
    emulator, jobs, runs = pipeline
    run_id = runs["runs long"]
    browser.open(f"{emulator.url}/?o=0#job/{jobs['runs long']}/run/{run_id}")
    browser.wait_for("document.getElementById('cancel-run')", what="the Cancel button")
    assert browser.texts("h1 .badge") == ["RUNNING"]
    shot(browser, "run-live")
    browser.evaluate("document.getElementById('cancel-run').click()")
    # The page refreshes itself while the run is live, until it shows the end.
    browser.wait_for("document.querySelector('h1 .badge').textContent === 'CANCELED'", timeout=90,
                     what="the page to show the run cancelled")
    assert emulator.run(run_id)["state"]["result_state"] == "CANCELED"
    assert browser.evaluate("!document.getElementById('cancel-run') && !!document.getElementById('run-again')")
    shot(browser, "run-canceled")


def test_run_again_starts_a_run_with_the_same_parameters(pipeline, browser):
    emulator, jobs, runs = pipeline
    browser.open(f"{emulator.url}/#job/{jobs['succeeds']}/run/{runs['succeeds']}")
    browser.wait_for("document.getElementById('run-again')", what="the Run again button")
    browser.evaluate("document.getElementById('run-again').click()")
    browser.wait_for(f"/run\\/(\\d+)$/.exec(location.hash) && location.hash !== '#job/{jobs['succeeds']}/run/{runs['succeeds']}'",
                     what="the new run's page")
    new_run = int(browser.evaluate("/run\\/(\\d+)$/.exec(location.hash)[1]"))
    run = emulator.wait_run(new_run, lambda s: s["life_cycle_state"] == "TERMINATED", "ended")
    assert run["overriding_parameters"]["notebook_params"] == {"who": "the browser"}
    assert run["state"]["result_state"] == "SUCCESS"


def test_the_job_page_shows_settings_tasks_and_recent_runs(pipeline, browser):
    emulator, jobs, runs = pipeline
    browser.open(f"{emulator.url}/#job/{jobs['succeeds']}")
    browser.wait_for("document.querySelector('ol.tasks li')", what="the task list")
    task = browser.texts("ol.tasks li")[0]
    assert "succeeds" in task and f"{FOLDER}/succeeds" in task and CLUSTER in task and "who = the job" in task
    browser.wait_for("document.querySelectorAll('main tbody tr').length >= 2", what="the recent runs")
    assert str(runs["succeeds"]) in browser.texts("main tbody tr td:first-child")
    shot(browser, "job")


def test_the_workspace_browser_shows_folders_and_notebook_cells(pipeline, browser):
    emulator, _, _ = pipeline
    browser.open(f"{emulator.url}/#workspace/Shared")
    browser.wait_for("document.querySelector('main tbody a')", what="the Shared folder")
    browser.evaluate("document.querySelector('main tbody a').click()")
    browser.wait_for("document.querySelectorAll('main tbody tr').length === 3", what="the three notebooks")
    shot(browser, "workspace")
    browser.open(f"{emulator.url}/#workspace/Shared/web%20pages/succeeds")
    browser.wait_for("document.querySelectorAll('.cell pre.source').length === 3", what="three cells")
    cells = browser.texts(".cell pre.source")
    assert cells[2] == f"dbutils.notebook.exit({HOSTILE!r})"
    assert browser.evaluate("window.__pwned === undefined")
    shot(browser, "notebook")


def test_the_dbfs_browser_lists_files_with_size_and_downloads_them(pipeline, browser):
    emulator, _, _ = pipeline
    browser.open(f"{emulator.url}/#dbfs/web-pages")
    browser.wait_for("document.querySelector('main tbody tr')", what="the DBFS file")
    row = browser.evaluate("Array.from(document.querySelector('main tbody tr').cells).map(c => c.textContent)")
    assert row[0] == "readings.csv" and row[1] == "8 B" and row[3] == "Download"
    shot(browser, "dbfs")
    downloads = os.path.join(ARTIFACTS, "downloads")
    subprocess.run(["rm", "-rf", downloads], check=True)
    os.makedirs(downloads)
    browser.allow_downloads(downloads)
    browser.evaluate("document.querySelector('main tbody button').click()")
    saved = os.path.join(downloads, "readings.csv")
    deadline = time.monotonic() + 60
    while not os.path.exists(saved):  # Chromium renames its partial file when it is complete
        assert time.monotonic() < deadline, f"no download in {downloads}: {os.listdir(downloads)}"
        time.sleep(0.2)
    with open(saved, "rb") as f:
        assert f.read() == b"t,v\n1,2\n"


def test_the_clusters_page_terminates_and_starts_a_cluster(pipeline, browser):
    emulator, _, _ = pipeline
    browser.open(f"{emulator.url}/#clusters")
    browser.wait_for("document.querySelector('main tbody tr')", what="the cluster")
    assert browser.evaluate("document.querySelector('main tbody .badge').textContent") == "RUNNING"
    shot(browser, "clusters")
    click = "Array.from(document.querySelectorAll('main tbody button')).find(b => b.textContent === {!r}).click()"
    browser.evaluate(click.format("Terminate"))
    browser.wait_for("document.querySelector('main tbody .badge').textContent === 'TERMINATED'", timeout=90,
                     what="the cluster to terminate")
    browser.evaluate(click.format("Start"))
    browser.wait_for("document.querySelector('main tbody .badge').textContent === 'RUNNING'", timeout=90,
                     what="the cluster to run again")
    state = emulator.call("GET", "2.0/clusters/get", cluster_id=CLUSTER)["state"]
    assert state == "RUNNING"


def test_no_script_error_or_policy_violation_on_any_page(browser):
    assert browser.console_errors() == []


def test_with_a_token_the_page_asks_for_it_and_then_works():
    os.makedirs(ARTIFACTS, exist_ok=True)
    secret = "web-pages-test-token"
    emulator = Emulator(token=secret)
    b = Browser(width=420, height=800)  # and a narrow window
    try:
        b.open(emulator.url + "/?o=0#jobs")
        b.wait_for("document.getElementById('token-input')", what="the token form")
        shot(b, "token-form")
        b.evaluate("document.getElementById('token-input').value = 'wrong'; "
                   "document.querySelector('form.login button').click()")
        b.wait_for("document.getElementById('token-input') && document.querySelector('form.login p')"
                   ".textContent.includes('Invalid access token')", what="the refusal of a wrong token")
        b.evaluate(f"document.getElementById('token-input').value = {json.dumps(secret)}; "
                   "document.querySelector('form.login button').click()")
        b.wait_for("document.querySelector('main h1') && document.querySelector('main h1').textContent === 'Jobs'",
                   what="the job list after the token")
        # A link with the token in its fragment works too, and the token leaves the address.
        b.evaluate("sessionStorage.clear()")
        b.open(f"{emulator.url}/#clusters&token={secret}")
        b.wait_for("document.querySelector('main tbody tr')", what="the clusters with a fragment token")
        assert b.evaluate("location.hash") == "#clusters"
        assert b.console_errors() == []
    finally:
        b.close()
        emulator.stop()
