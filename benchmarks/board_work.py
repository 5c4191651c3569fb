"""What one watching board does for a move, whatever the load of the machine: the React
components it renders, and its main thread's CPU time. Used by deal_board.

- Renders: React calls the DevTools hook with every commit, in production builds too. The hook
  installed here walks only the parts of the tree the commit touched (as React DevTools does:
  a fiber's children are new objects only where React worked on them) and counts the
  components that ran: all of them, the deal cards (the dnd-kit draggable: its element is the
  card's `article`), the memo around each card (`DealCard`) and the columns (`section`).
- CPU: Chrome's Performance metrics of the tab's renderer in thread time (not wall time):
  scripts, style and layout, and every task of its main thread.
"""

COUNT_RENDERS = """() => {
  const counts = {commits: 0, components: 0, memos: 0, cards: 0, columns: 0};
  window.__renders = counts;
  const COMPONENTS = new Set([0, 1, 11, 14, 15]); // function, class, forwardRef, memo, simple memo
  const PERFORMED_WORK = 1;
  const walk = (fiber) => {
    const mounted = fiber.alternate === null;
    if (COMPONENTS.has(fiber.tag) && (mounted || (fiber.flags & PERFORMED_WORK))) {
      counts.components += 1;
      const element = fiber.child && fiber.child.type;
      if (element === "article") counts.cards += 1;
      if (element === "section") counts.columns += 1;
      if (fiber.elementType && fiber.elementType.displayName === "DealCard") counts.memos += 1;
    }
    if (!mounted && fiber.child === fiber.alternate.child) return; // React did not go in
    for (let child = fiber.child; child; child = child.sibling) walk(child);
  };
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    renderers: new Map(),
    supportsFiber: true,
    inject(renderer) { this.renderers.set(this.renderers.size + 1, renderer); return this.renderers.size; },
    onCommitFiberRoot(id, root) { counts.commits += 1; walk(root.current); },
    onCommitFiberUnmount() {},
    onPostCommitFiberRoot() {},
    onScheduleFiberRoot() {},
    checkDCE() {},
  };
}"""

RESET = "() => { for (const key of Object.keys(window.__renders)) window.__renders[key] = 0; }"

CPU_METRICS = {
    "TaskDuration": "cpu_task_ms",
    "ScriptDuration": "cpu_script_ms",
    "RecalcStyleDuration": "cpu_style_ms",
    "LayoutDuration": "cpu_layout_ms",
}


def counting_context(browser):
    """A browser context whose pages count React's renders (before the app's scripts run)."""
    context = browser.new_context()
    context.add_init_script(script=f"({COUNT_RENDERS})()")
    return context


def cpu_reader(page):
    """A function returning the page's main-thread CPU so far, in ms per metric."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})

    def read() -> dict[str, float]:
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return {key: metrics[name] * 1000 for name, key in CPU_METRICS.items()}

    return read


def per_move(before: dict[str, float], after: dict[str, float], moves: int) -> dict[str, float]:
    return {key: (after[key] - value) / moves for key, value in before.items()}
