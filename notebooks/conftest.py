"""pytest hooks for the notebooks (nbval runs them): loaded whenever notebooks/ is collected."""
from collections import defaultdict


def pytest_terminal_summary(terminalreporter):
    """Print how long each notebook took under nbval (the sum of its cells)."""
    seconds = defaultdict(float)
    for reports in terminalreporter.stats.values():
        for report in reports:
            nodeid = getattr(report, "nodeid", "")
            if ".ipynb::" in nodeid and getattr(report, "when", None) in ("setup", "call", "teardown"):
                seconds[nodeid.split("::", 1)[0]] += report.duration
    if seconds:
        terminalreporter.section("notebook durations (nbval, all cells)")
        for notebook, total in sorted(seconds.items()):
            terminalreporter.write_line(f"{total:7.1f}s  {notebook}")
