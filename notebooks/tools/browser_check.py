"""Run every lesson in a real browser, as a learner would: `make browser-check` (optional).

It starts `make lab` on a free port, then with headless Chromium (driven by Playwright):
opens each lesson, runs Run > Run All Cells, waits for the kernel, and checks that no news
toast is shown, that the only errors are the ones the stored notebook expects, that its
Mermaid diagrams are drawn, and that the file browser hides the helpers. It writes learner
copies (`make exercises`) and checks that every relative link in them and in the lessons
opens. It also opens a Terminal
through the server's API, once with and once without a TTY, and checks that `alembic`,
`flask` and `python` are the venv's.

Neither Chromium nor Playwright is part of requirements.txt, and `make test` does not run
this. Without them it prints "skipped: ..." and exits 0. Do not run it while `make test`
runs: both use the notebooks' workspaces (notebooks/workspace/).
"""
import json
import os
import pty
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HELPERS = {"conftest.py", "workbook.py", "tools", "__pycache__"}
STDERR = "application/vnd.jupyter.stderr"  # JupyterLab shows errors and stderr text with this type
NOTEBOOK_TIMEOUT = 600


class Lab:
    """`make lab` on a free port with a random token, in a Jupyter home of its own.

    The separate config, data and runtime folders keep the run from reading the user's own
    Jupyter settings (so it checks the repository's) and from writing into the user's home.
    """

    def __init__(self, home, tty):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(16)
        env = dict(os.environ, JUPYTER_TOKEN=self.token)
        for kind in ("CONFIG", "DATA", "RUNTIME"):
            env[f"JUPYTER_{kind}_DIR"] = str(Path(home) / kind.lower())
        command = [os.environ.get("MAKE", "make"), "--no-print-directory", "lab", f"PORT={self.port}", "NO_BROWSER=1"]
        self.log = []
        if tty:
            # The server's output goes to a pseudo-terminal, as when a learner types `make lab`.
            master, slave = pty.openpty()
            out = slave
        else:
            out = subprocess.PIPE
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        if tty:
            os.close(slave)
            stream = os.fdopen(master, "rb", buffering=0)
        else:
            stream = self.process.stdout
        # Read the log all the time: a full pipe would stop the server.
        threading.Thread(target=self._drain, args=(stream,), daemon=True).start()
        self._wait_until_up()

    def _drain(self, stream):
        try:
            for line in iter(stream.readline, b""):
                self.log.append(line.decode(errors="replace"))
        except OSError:  # the pseudo-terminal closes when the server stops
            pass

    def _wait_until_up(self):
        deadline = time.monotonic() + 300  # the first `make lab` may build the venv
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit("make lab stopped:\n" + "".join(self.log[-30:]))
            try:
                self.api("GET", "/api/status")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        self.stop()
        sys.exit("make lab did not answer within 300 s:\n" + "".join(self.log[-30:]))

    def api(self, method, path, body=None):
        """Call the server's REST API; returns (status, parsed JSON or None)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            return error.code, None

    def stop(self):
        # The process group holds make and the jupyter server it started (and its kernels).
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


TERMINAL_JS = """async (url) => await new Promise((resolve) => {
  const ws = new WebSocket(url);
  let out = '';
  // The marker is split in the command, so only its output contains it whole.
  ws.onopen = () => ws.send(JSON.stringify(['stdin', 'command -v alembic flask python; echo "__E""ND__"\\r']));
  ws.onmessage = (event) => {
    const [kind, text] = JSON.parse(event.data);
    if (kind === 'stdout') out += text;
    if (out.includes('__END__')) { ws.close(); resolve(out); }
  };
  setTimeout(() => { ws.close(); resolve(out); }, 15000);
})"""


def check_terminal(lab, page):
    """Open a Terminal through the API and its websocket; return (ok, what the venv check found)."""
    # From the JupyterLab page: the server's API pages forbid scripts to open websockets.
    page.goto(f"{lab.url}/lab?reset&token={lab.token}")
    _, terminal = lab.api("POST", "/api/terminals")
    ws_url = lab.url.replace("http", "ws") + f"/terminals/websocket/{terminal['name']}?token={lab.token}"
    out = page.evaluate(TERMINAL_JS, ws_url)
    lab.api("DELETE", f"/api/terminals/{terminal['name']}")
    out = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", out)  # bash's terminal control sequences
    found = [line.strip() for line in out.splitlines() if line.strip().startswith("/")]
    venv_bin = str(REPO / ".venv" / "bin")
    names = [Path(p).name for p in found]
    ok = names == ["alembic", "flask", "python"] and all(str(Path(p).parent) == venv_bin for p in found)
    return ok, ", ".join(found) or "alembic, flask, python not found"


def check_server(lab, page, label):
    """The REST-level checks: hidden helpers, helpers still open by path, news setting, terminal PATH."""
    rows = []
    _, listing = lab.api("GET", "/api/contents/")
    shown = sorted(item["name"] for item in listing["content"])
    leaked = sorted(HELPERS & set(shown))
    rows.append((f"{label}: helpers hidden in /api/contents/", not leaked, "listed: " + ", ".join(leaked) if leaked else "ok"))
    statuses = {name: lab.api("GET", f"/api/contents/{name}?content=0")[0] for name in ("workbook.py", "conftest.py", "tools")}
    rows.append((f"{label}: helpers open by path", set(statuses.values()) == {200}, str(statuses)))
    _, settings = lab.api("GET", "/lab/api/settings/@jupyterlab/apputils-extension:notification")
    defaults = {k: v.get("default") for k, v in settings["schema"]["properties"].items()}
    news = settings["settings"].get("fetchNews", defaults["fetchNews"])
    rows.append((f"{label}: fetchNews setting", news == "false", f"fetchNews={news!r} (\"none\" means: ask with a toast)"))
    ok, found = check_terminal(lab, page)
    rows.append((f"{label}: Terminal uses the venv", ok, found))
    return rows


def stored_expectations(path):
    """Per code cell of the stored notebook: how many outputs JupyterLab would show as stderr;
    and how many Mermaid diagrams the outputs hold."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    expected, diagrams = [], 0
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            outputs = cell.get("outputs", [])
            expected.append(sum(o["output_type"] == "error" or o.get("name") == "stderr" for o in outputs))
            diagrams += sum("".join(o.get("data", {}).get("text/markdown", "")).startswith("```mermaid") for o in outputs)
    return expected, diagrams


CELLS_JS = f"""() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')].map(cell => ({{
  prompt: (cell.querySelector('.jp-InputPrompt') || {{}}).textContent || '',
  stderr: [...cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="{STDERR}"]')].map(o => o.textContent),
}}))"""

QUEUED_JS = """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')]
  .some(p => p.textContent.trim() === '[*]:')"""

# JupyterLab draws a Mermaid block as an image in a figure; a diagram that fails to parse gets no image.
DIAGRAMS_JS = """() => document.querySelectorAll(
  '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea .jp-RenderedMermaid figure :is(img, svg)').length"""

TOASTS_JS = "() => [...document.querySelectorAll('.Toastify__toast')].map(t => t.textContent)"

LINKS_JS = """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell a[href]')]
  .map(a => [a.textContent.trim(), a.href])"""


ALL_CELLS_SHOWN_JS = """(count) => {
  const cells = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')];
  return cells.length === count && cells.every(c => !c.classList.contains('jp-MarkdownCell')
    || (c.querySelector('.jp-RenderedMarkdown') || {}).textContent);
}"""


def open_notebook(page, lab, relative):
    """Open a notebook in a fresh workspace and wait until every cell is on the page and the kernel idles.

    JupyterLab adds cells to the page a few at a time after opening a notebook."""
    cells = len(json.loads((NOTEBOOKS / relative).read_text(encoding="utf-8"))["cells"])
    page.goto(f"{lab.url}/lab/tree/{relative}?reset&token={lab.token}")
    page.wait_for_function(ALL_CELLS_SHOWN_JS, arg=cells, timeout=120_000)
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=120_000)


def run_all(page):
    """Run > Run All Cells from the menu bar, then wait until nothing is queued and the kernel is idle."""
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    deadline = time.monotonic() + NOTEBOOK_TIMEOUT
    quiet = 0
    while time.monotonic() < deadline:
        time.sleep(0.5)
        status = page.get_attribute(".jp-Notebook-ExecutionIndicator", "data-status")
        busy = page.evaluate(QUEUED_JS)
        quiet = quiet + 1 if status == "idle" and not busy else 0
        if quiet >= 4:  # two seconds without a queued cell
            return True
    return False


def check_links(page, lab):
    """Every link into the server from the open notebook's Markdown: (text, path, HTTP status of the path)."""
    results = []
    for text, href in page.evaluate(LINKS_JS):
        url = urllib.parse.urlsplit(href)
        if url.netloc != f"127.0.0.1:{lab.port}" or not url.path.startswith("/files/"):
            continue  # an anchor in the same notebook, or a page on the web
        path = urllib.parse.unquote(url.path[len("/files/"):])
        results.append((text, path, lab.api("GET", f"/api/contents/{urllib.parse.quote(path)}?content=0")[0]))
    return results


def close_notebook(page, lab):
    page.close()
    _, sessions = lab.api("GET", "/api/sessions")
    for session in sessions or []:
        lab.api("DELETE", f"/api/sessions/{session['id']}")


def check_lesson(browser, lab, path):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    started = time.monotonic()
    open_notebook(page, lab, path.name)
    toasts = page.evaluate(TOASTS_JS)
    listing = {t.strip() for t in page.locator(".jp-DirListing-itemText").all_text_contents()}
    finished = run_all(page)
    seconds = time.monotonic() - started
    cells = page.evaluate(CELLS_JS)
    toasts += page.evaluate(TOASTS_JS)
    expected, diagrams = stored_expectations(path)
    drawn = page.evaluate(DIAGRAMS_JS)
    unexpected = []
    if len(cells) != len(expected):
        unexpected.append(f"{len(cells)} code cells shown, {len(expected)} stored")
    for i, (cell, wanted) in enumerate(zip(cells, expected)):
        if len(cell["stderr"]) != wanted:
            first = (cell["stderr"] or [""])[0].strip().splitlines()
            unexpected.append(f"code cell {i + 1}: {len(cell['stderr'])} error/stderr outputs, stored {wanted}"
                              + (f" ({first[-1][:120]})" if first else ""))
    ran = sum(bool(re.fullmatch(r"\[\d+\]:", c["prompt"].strip())) for c in cells)
    links = check_links(page, lab)
    close_notebook(page, lab)
    news = [t for t in toasts if "news" in t.lower()]
    return {
        "notebook": path.name, "seconds": seconds, "cells": len(cells), "ran": ran, "finished": finished,
        "errors": sum(len(c["stderr"]) for c in cells), "expected": sum(expected), "unexpected": unexpected,
        "diagrams": f"{drawn}/{diagrams}", "news": bool(news), "other_toasts": sorted(set(toasts) - set(news)),
        "helpers_listed": sorted(HELPERS & listing), "links": links,
    }


def check_learner_copy(browser, lab, path):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    open_notebook(page, lab, f"exercises/{path.name}")
    links = check_links(page, lab)
    close_notebook(page, lab)
    return links


def git_status():
    return subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, check=True).stdout


def main():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print(f"skipped: Playwright for Python is not installed for {sys.executable} (see README)")
        return 0
    if not os.access(CHROMIUM, os.X_OK):
        print(f"skipped: no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM=path)")
        return 0

    # Remove afterwards only what this run creates; existing learner copies are kept (they may hold
    # a learner's work) and their links are checked as they are.
    created = [p for p in (NOTEBOOKS / "workspace", NOTEBOOKS / "exercises", NOTEBOOKS / ".ipynb_checkpoints")
               if not p.exists()]
    if NOTEBOOKS / "exercises" in created:
        subprocess.run([os.environ.get("MAKE", "make"), "--no-print-directory", "exercises"], cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL)
    else:
        print("note: notebooks/exercises/ exists; checking those learner copies as they are, not rewriting them")
    tracked_before = git_status()

    server_rows, lessons, copies = [], [], {}
    with tempfile.TemporaryDirectory() as home, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            lab = Lab(Path(home) / "tty", tty=True)
            try:
                server_rows += check_server(lab, browser.new_page(), "with a TTY")
            finally:
                lab.stop()
            lab = Lab(Path(home) / "no-tty", tty=False)
            try:
                page = browser.new_page()
                server_rows += check_server(lab, page, "without a TTY")
                page.close()
                # Autosave would write the browser's outputs into the tracked notebooks.
                status, _ = lab.api("PUT", "/lab/api/settings/@jupyterlab/docmanager-extension:plugin",
                                    {"raw": json.dumps({"autosave": False})})
                if status != 204:
                    sys.exit(f"could not turn autosave off (HTTP {status}); stopped before opening a notebook")
                for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
                    lessons.append(check_lesson(browser, lab, path))
                    print(f"  ran {path.name} in {lessons[-1]['seconds']:.0f} s", flush=True)
                for path in sorted((NOTEBOOKS / "exercises").glob("*.ipynb")):
                    copies[path.name] = check_learner_copy(browser, lab, path)
            finally:
                lab.stop()
        finally:
            browser.close()

    for path in created:
        shutil.rmtree(path, ignore_errors=True)
    return report(server_rows, lessons, copies, tracked_before == git_status())


def report(server_rows, lessons, copies, tree_unchanged):
    failures = 0
    print("\nServer checks")
    for name, ok, detail in server_rows:
        failures += not ok
        print(f"  {'ok  ' if ok else 'FAIL'} {name}: {detail}")

    print("\nLessons in Chromium (Run > Run All Cells)")
    print(f"  {'notebook':<30} {'seconds':>7} {'cells':>5} {'ran':>4} {'errors':>6} {'expected':>8} "
          f"{'unexpected':>10} {'diagrams':>8} {'news toast':>10} {'links':>7}")
    problems = []
    for r in lessons:
        bad_links = [link for link in r["links"] if link[2] != 200]
        drawn, stored = r["diagrams"].split("/")
        ok = (r["finished"] and r["ran"] == r["cells"] and not r["unexpected"] and not r["news"] and drawn == stored
              and not r["helpers_listed"] and not bad_links)
        failures += not ok
        print(f"  {r['notebook']:<30} {r['seconds']:>7.1f} {r['cells']:>5} {r['ran']:>4} {r['errors']:>6} "
              f"{r['expected']:>8} {len(r['unexpected']):>10} {r['diagrams']:>8} {'yes' if r['news'] else 'no':>10} "
              f"{len(r['links']) - len(bad_links):>3}/{len(r['links']):<3}")
        problems += [f"{r['notebook']}: {u}" for u in r["unexpected"]]
        problems += [f"{r['notebook']}: {r['ran']} of {r['cells']} code cells ran"] * (r["ran"] != r["cells"])
        problems += [f"{r['notebook']}: {drawn} of {stored} Mermaid diagrams drawn"] * (drawn != stored)
        problems += [f"{r['notebook']}: did not finish within {NOTEBOOK_TIMEOUT} s"] * (not r["finished"])
        problems += [f"{r['notebook']}: file browser lists {', '.join(r['helpers_listed'])}"] * bool(r["helpers_listed"])
        problems += [f"{r['notebook']}: other toast: {t[:100]}" for t in r["other_toasts"]]
        problems += [f"{r['notebook']}: link {t!r} -> {p}: HTTP {s}" for t, p, s in bad_links]

    print("\nLearner copies (make exercises): links into the server")
    for name, links in copies.items():
        bad = [link for link in links if link[2] != 200]
        failures += bool(bad)
        print(f"  {'ok  ' if not bad else 'FAIL'} exercises/{name}: {len(links) - len(bad)}/{len(links)} resolve")
        problems += [f"exercises/{name}: link {t!r} -> {p}: HTTP {s}" for t, p, s in bad]

    if problems:
        print("\nDetails")
        for problem in problems:
            print(f"  {problem}")
    if not tree_unchanged:
        failures += 1
        print("\nFAIL: `git status` changed during the run")
    print(f"\n{'all checks passed' if not failures else f'{failures} check(s) failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
