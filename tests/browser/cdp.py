"""A headless Chromium driven over the Chrome DevTools Protocol on a pipe.

`--remote-debugging-pipe` makes Chromium read commands from fd 3 and write answers and events
to fd 4, each message JSON ending in a NUL byte. That needs nothing beyond the standard
library: no WebSocket client, no Selenium or Playwright, no browser download.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time


def find_chromium() -> str:
    """The browser to use: $DBK_CHROMIUM or Debian's chromium (scripts/install-deps.sh)."""
    for name in (os.environ.get("DBK_CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    raise RuntimeError("no chromium on PATH: run scripts/install-deps.sh (Debian package chromium)")


class CdpError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page; commands go to that page's session."""

    def __init__(self, width: int = 1280, height: int = 900):
        self.profile = tempfile.mkdtemp(prefix="dbk-chromium-")
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # Keep the ends away from 3 and 4, which the child needs for the protocol.
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in
                (to_browser_r, to_browser_w, from_browser_r, from_browser_w)]
        for fd in (to_browser_r, to_browser_w, from_browser_r, from_browser_w):
            os.close(fd)
        child_in, self._out, self._in, child_out = ends

        def wire_pipes():
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        args = [find_chromium(), "--headless=new", "--remote-debugging-pipe",
                "--no-first-run", "--no-default-browser-check", "--disable-gpu",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--disable-dev-shm-usage", "--mute-audio", "--hide-scrollbars",
                f"--user-data-dir={self.profile}", f"--window-size={width},{height}"]
        # Chromium refuses its sandbox as root, and some CI containers allow no user namespaces
        # for it; the pages it shows here are the test's own.
        if os.geteuid() == 0 or os.environ.get("DBK_CHROMIUM_NO_SANDBOX") == "1":
            args.append("--no-sandbox")
        args.append("about:blank")
        self._stderr_path = os.path.join(self.profile, "stderr.log")
        with open(self._stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=wire_pipes,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=stderr, start_new_session=True)
        os.close(child_in)
        os.close(child_out)
        self._next_id = 0
        self._buffer = b""
        self.events: list[dict] = []
        self.session = None
        target = self.command("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.command("Target.attachToTarget",
                                    {"targetId": target, "flatten": True})["sessionId"]
        self.command("Page.enable")
        self.command("Runtime.enable")
        self.command("Log.enable")
        self.command("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def _read_message(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise CdpError("chromium closed the protocol pipe; its stderr ends with:\n" + self._stderr_tail())
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def command(self, method: str, params: dict | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read_message()
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise CdpError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            if "method" in answer:
                self.events.append(answer)

    def _stderr_tail(self) -> str:
        try:
            with open(self._stderr_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-20:])
        except OSError:
            return "(no stderr log)"

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.command("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                   "returnByValue": True})
        if "exceptionDetails" in result:
            raise CdpError(f"{expression}: {result['exceptionDetails'].get('text')} "
                           f"{result['exceptionDetails'].get('exception', {}).get('description', '')}")
        return result["result"].get("value")

    def texts(self, selector: str) -> list[str]:
        """The text of every element `selector` matches, in document order."""
        return self.evaluate(f"Array.from(document.querySelectorAll({json.dumps(selector)}))"
                             ".map(e => e.textContent)")

    def navigate(self, url: str) -> None:
        self.command("Page.navigate", {"url": url})

    def open(self, url: str, timeout: float = 60) -> None:
        """Navigates to a page of dbk's web UI and waits until it has rendered the page `url`
        names: a fragment change re-renders asynchronously, and until then the previous
        page's content is still there to be found."""
        self.navigate(url)
        self.wait_for("document.querySelector('main') && "
                      "document.querySelector('main').dataset.shown === location.hash",
                      timeout=timeout, what=f"the page {url}")

    def wait_for(self, expression: str, timeout: float = 60, what: str = "") -> object:
        """Polls `expression` until it is truthy; fails naming `what` after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        # An element found counts as true (returned by value it would be an empty, falsy {}).
        probe = f"(() => {{ const v = ({expression}); return v instanceof Node ? true : v; }})()"
        while True:
            value = self.evaluate(probe)
            if value:
                return value
            if time.monotonic() > deadline:
                text = self.evaluate("document.body ? document.body.innerText : ''")
                raise AssertionError(f"timed out waiting for {what or expression}; the page says:\n{text}")
            time.sleep(0.2)

    def allow_downloads(self, folder: str) -> None:
        """Files the page hands to the browser as downloads are saved into `folder`."""
        self.command("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder})

    def screenshot(self, path: str) -> None:
        data = self.command("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False})
        with open(path, "wb") as f:
            f.write(base64.b64decode(data["data"]))

    def console_errors(self) -> list[str]:
        """Exceptions thrown in the page and CSP violations reported on its console."""
        out = []
        for event in self.events:
            if event.get("method") == "Runtime.exceptionThrown":
                out.append(json.dumps(event["params"]["exceptionDetails"])[:500])
            elif event.get("method") == "Runtime.consoleAPICalled" and event["params"].get("type") == "error":
                out.append(json.dumps(event["params"]["args"])[:500])
            elif (event.get("method") == "Log.entryAdded" and
                  "Content Security Policy" in event["params"]["entry"].get("text", "")):
                out.append(event["params"]["entry"]["text"][:500])
        return out

    def close(self) -> None:
        try:
            os.close(self._out)
            os.close(self._in)
        except OSError:
            pass
        try:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)
