"""React's renders counted in a page, for the tests and the deal board benchmark.

React calls the DevTools hook with every commit, in development and production builds alike.
The hook installed here (before the app's scripts run: a context's init script) walks only the
parts of the tree the commit touched, as React DevTools does (a fiber's children are new
objects only where React worked on them), and counts in `window.__renders` the components that
ran: all of them (`components`), the deal cards (`cards`: the dnd-kit draggable, whose element
is the card's `article`), the memo around each card (`memos`: `DealCard`) and the board's
columns (`columns`: `section`), and the commits.
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
