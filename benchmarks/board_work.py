"""What one watching board does for a move, whatever the load of the machine: the React
components it renders, and its main thread's CPU time. Used by deal_board.

- Renders: counted through React's DevTools hook (tests/e2e/renders.py).
- Received: the characters of the websocket messages the counting board got.
- CPU: Chrome's Performance metrics of the tab's renderer in thread time (not wall time):
  scripts, style and layout, and every task of its main thread. And the server's: the CPU time
  of its processes (both workers), from the system's accounting.
"""

import psutil

from tests.e2e.renders import COUNT_RENDERS

CPU_METRICS = {
    "TaskDuration": "cpu_task_ms",
    "ScriptDuration": "cpu_script_ms",
    "RecalcStyleDuration": "cpu_style_ms",
    "LayoutDuration": "cpu_layout_ms",
}


def counting_context(browser, record_frames: str):
    """A browser context whose pages count React's renders and keep the websocket messages
    they receive (`record_frames`: installed, like the hook, before the app's scripts run)."""
    context = browser.new_context()
    context.add_init_script(script=f"({COUNT_RENDERS})()")
    context.add_init_script(script=f"({record_frames})()")
    return context


RECEIVED = "(since) => window.__frames.filter(([at]) => at >= since).reduce((n, [, data]) => n + data.length, 0)"


def cpu_reader(page):
    """A function returning the page's main-thread CPU so far, in ms per metric."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})

    def read() -> dict[str, float]:
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return {key: metrics[name] * 1000 for name, key in CPU_METRICS.items()}

    return read


def process_cpu_reader(pid: int):
    """A function returning the CPU used so far by the process `pid` and its children, in ms."""

    def read() -> float:
        root = psutil.Process(pid)
        used = 0.0
        for process in (root, *root.children(recursive=True)):
            times = process.cpu_times()
            used += times.user + times.system
        return used * 1000

    return read


def per_move(before: dict[str, float], after: dict[str, float], moves: int) -> dict[str, float]:
    return {key: (after[key] - value) / moves for key, value in before.items()}
