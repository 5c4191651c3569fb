"""Drag and drop over @dnd-kit/core: a thin wrapper, the library doing the work.

Three small React function components are written out as the page's custom code (React hooks
must run inside a component, and dnd-kit is hooks):

- `board(...)`: the drag context around the board's scrolling row of columns. Sensors: the mouse
  (after 6 px of movement, so a click on the card's link stays a click), touch (after a 200 ms
  press, so a swipe still scrolls the board on a phone) and the keyboard (Space or Enter on a
  focused card picks it up; the arrow keys go to the previous or next column; Space or Enter
  drops; Escape cancels). It shows the drag image (DragOverlay), scrolls the board and the page
  near their edges while dragging (dnd-kit's auto-scroll), shows a strip of outcome targets
  (Won, Lost) fixed at the bottom of the screen while a card is held, so they can be reached at
  any width, shows arrow buttons when columns are off-screen, and tells screen readers what
  happens (dnd-kit's live region: the card and the column, by name).
  On a drop in another column it calls `on_move(deal id, column key)`: one server event, which
  re-checks everything (any client can send it).
- `column(...)`: a drop target, the whole column (the board stretches columns to its height).
- `card(...)`: a draggable deal card (an `article`, focusable, described by dnd-kit's
  instructions).
"""

import reflex as rx
from reflex.event import passthrough_event_spec
from reflex_base.utils.imports import ImportVar

LIBRARY = "@dnd-kit/core@6.3.1"  # npm; its own deps: @dnd-kit/accessibility, @dnd-kit/utilities

_BOARD_JS = """
const prmDndInstructions = {
  draggable: "To move this deal, press Space or Enter. Then the left and right arrow keys go to \
the previous or next column; press Space or Enter to drop it there, or Escape to cancel.",
};

const prmDndName = (item) => (item && item.data.current && item.data.current.name) || "";

let prmDndOver = null; // the target last announced: the card's own column when picked up

const prmDndAnnouncements = {
  onDragStart: ({active}) => {
    prmDndOver = "column:" + active.data.current.column;
    return `Picked up ${prmDndName(active)}, in ${active.data.current.origin}.`;
  },
  onDragOver: ({active, over}) => {
    if ((over ? over.id : null) === prmDndOver) return undefined;
    prmDndOver = over ? over.id : null;
    return over ? `${prmDndName(active)} is over ${prmDndName(over)}.`
      : `${prmDndName(active)} is over no column.`;
  },
  onDragEnd: ({active, over}) => !over || over.data.current.column === active.data.current.column
    ? `${prmDndName(active)} stays in ${active.data.current.origin}.`
    : `${prmDndName(active)} was dropped in ${prmDndName(over)}.`,
  onDragCancel: ({active}) => `Moving ${prmDndName(active)} was cancelled: it stays in \
${active.data.current.origin}.`,
};

// The pointer decides (an outcome target first: it lies over the columns); the keyboard, which
// has no pointer, goes by the held card's overlap with the columns.
function prmDndCollision(args) {
  if (args.pointerCoordinates) {
    const hits = pointerWithin(args);
    return hits.sort((a, b) => (b.id.startsWith("outcome:") ? 1 : 0) -
      (a.id.startsWith("outcome:") ? 1 : 0));
  }
  return rectIntersection({...args, droppableContainers: args.droppableContainers.filter(
    (c) => c.id.startsWith("column:"))});
}

// Arrow keys: to the previous or next column. The column the card is in is the one dnd-kit
// has it over, and everything is measured as dnd-kit's collision detection measures it (its
// droppable rects, kept true through scrolling, and the held card's collision rect): a scroll
// still settling, the drag image gliding or a gap between columns cannot make an arrow skip a
// column or stay put. The result is a shift of the held card's coordinates that puts its middle
// on the next column's; dnd-kit scrolls the board instead when that passes the middle.
function prmDndKeys(event, {context: {collisionRect, droppableRects, over}, currentCoordinates}) {
  const step = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1}[event.code];
  if (!step || !collisionRect) return undefined;
  event.preventDefault();
  const columns = [...droppableRects.entries()]
    .filter(([id]) => String(id).startsWith("column:"))
    .sort(([, a], [, b]) => a.left - b.left);
  const middle = collisionRect.left + collisionRect.width / 2;
  let at = over ? columns.findIndex(([id]) => id === over.id) : -1;
  if (at < 0) { // over no column yet: the column under (or just before) the card's middle
    const after = columns.findIndex(([, r]) => middle < r.left + r.width);
    const before = after < 0 || middle < columns[after][1].left; // in a gap, or past the end
    at = (after < 0 ? columns.length : after) - (before && step > 0 ? 1 : 0);
  }
  const next = columns[Math.min(Math.max(at + step, 0), columns.length - 1)];
  if (!next) return undefined;
  return {x: currentCoordinates.x + next[1].left + next[1].width / 2 - middle,
    y: currentCoordinates.y};
}

// dnd-kit's keyboard sensor listens for the keys of a drag only a task after the card is
// picked up (so that the key which picked it up does not also drop it), while "Picked up" is
// already on screen: an arrow pressed in between went to the page instead (input outruns
// timers in Chromium's scheduler). This one listens at once and skips just that key's event
// (the attach() of the pinned 6.3.1, less its setTimeout: recheck it when LIBRARY changes).
class PrmDndKeyboardSensor extends KeyboardSensor {
  attach() {
    const pickedUpBy = this.props.event;
    this.handleStart();
    this.windowListeners.add("resize", this.handleCancel);
    this.windowListeners.add("visibilitychange", this.handleCancel);
    this.listeners.add("keydown", (event) => {
      if (event !== pickedUpBy) this.handleKeyDown(event);
    });
  }
}

// The board re-renders with every update of the page's state. What it hands dnd-kit is made
// once, here: new sensor options would make new activators, hence a new context for every
// draggable card, and every card (a memo otherwise) would render again on each update.
const prmDndMouse = {activationConstraint: {distance: 6}};
const prmDndTouch = {activationConstraint: {delay: 200, tolerance: 8}};
const prmDndKeyboard = {coordinateGetter: prmDndKeys, scrollBehavior: "auto"};
const prmDndAccessibility = {announcements: prmDndAnnouncements,
  screenReaderInstructions: prmDndInstructions};

function PrmDndBoard({onMove, outcomes, scrollLabel, children, ...props}) {
  const sensors = useSensors(
    useSensor(MouseSensor, prmDndMouse),
    useSensor(TouchSensor, prmDndTouch),
    useSensor(PrmDndKeyboardSensor, prmDndKeyboard),
  );
  const [held, setHeld] = useState(null);
  const scroller = useRef(null);
  const [edges, setEdges] = useState("");
  useEffect(() => {
    const el = scroller.current;
    if (!el) return undefined;
    const look = () => setEdges((el.scrollLeft > 4 ? "left " : "") +
      (el.scrollLeft + el.clientWidth < el.scrollWidth - 4 ? "right" : ""));
    look();
    el.addEventListener("scroll", look, {passive: true});
    const sizes = new ResizeObserver(look);
    sizes.observe(el);
    return () => { el.removeEventListener("scroll", look); sizes.disconnect(); };
  }, []);
  const scroll = (side) => scroller.current.scrollBy(
    {left: side * scroller.current.clientWidth * 0.8, behavior: "smooth"});
  const drop = ({active, over}) => {
    setHeld(null);
    const to = over && over.data.current.column;
    if (to && to !== active.data.current.column) onMove(active.data.current.deal, to);
  };
  return (
    <DndContext sensors={sensors} collisionDetection={prmDndCollision}
      accessibility={prmDndAccessibility}
      onDragStart={({active}) => setHeld(active.data.current)}
      onDragEnd={drop} onDragCancel={() => setHeld(null)}>
      <div className="deal-board-frame" data-holding={held ? "true" : "false"}
        data-more={edges}>
        {edges.includes("left") && <button type="button" className="deal-board-scroll"
          data-side="left" aria-label={scrollLabel + " left"} onClick={() => scroll(-1)}
          >{"\u2039"}</button>}
        <div ref={scroller} {...props}>{children}</div>
        {edges.includes("right") && <button type="button" className="deal-board-scroll"
          data-side="right" aria-label={scrollLabel + " right"} onClick={() => scroll(1)}
          >{"\u203a"}</button>}
      </div>
      {held && outcomes.length > 0 && <div className="deal-outcomes" role="group"
        aria-label="Close the deal">
        {outcomes.map((o) => <PrmDndOutcome key={o.key} column={o.key} name={o.name} />)}
      </div>}
      <DragOverlay dropAnimation={null}>{held && <div className="deal-card deal-card-overlay">
        <strong>{held.name}</strong><span>{held.company}</span>
        <span className="deal-card-amount">{held.amount}</span></div>}</DragOverlay>
    </DndContext>
  );
}

function PrmDndOutcome({column, name}) {
  const {setNodeRef, isOver} = useDroppable({id: "outcome:" + column, data: {column, name}});
  return <div ref={setNodeRef} className="deal-outcome" data-over={isOver ? "true" : "false"}
    data-column={column}>{name}</div>;
}
"""

_COLUMN_JS = """
function PrmDndColumn({column, name, children, ...props}) {
  const {setNodeRef, isOver, active} = useDroppable({id: "column:" + column,
    data: {column, name}});
  const holding = Boolean(active);
  return <section ref={setNodeRef} aria-label={name} data-over={isOver ? "true" : "false"}
    data-target={holding ? "true" : "false"} {...props}>{children}</section>;
}
"""

_CARD_JS = """
function PrmDndCard({deal, column, origin, name, company, amount, disabled, children, ...props}) {
  const {attributes, listeners, setNodeRef, setActivatorNodeRef, isDragging} = useDraggable({
    id: "deal:" + deal, disabled, data: {deal, column, origin, name, company, amount}});
  const ref = useCallback((node) => { setNodeRef(node); setActivatorNodeRef(node); },
    [setNodeRef, setActivatorNodeRef]);
  const handle = disabled ? {} : {tabIndex: 0, "aria-roledescription": "movable deal",
    "aria-describedby": attributes["aria-describedby"], ...listeners};
  return <article ref={ref} aria-label={name} data-dragging={isDragging ? "true" : "false"}
    {...handle} {...props}>{children}</article>;
}
"""


def _imports(*names: str) -> dict[str, list[ImportVar]]:
    return {
        LIBRARY: [ImportVar(tag=name) for name in names],
        "react": [
            ImportVar(tag=name) for name in ("useCallback", "useEffect", "useRef", "useState")
        ],
    }


class DndBoard(rx.Component):
    """The drag context and the board's scrolling row (the element props go to the row)."""

    tag = "PrmDndBoard"
    outcomes: rx.Var[list[dict[str, str]]]  # [{key, name}] of the won and lost columns
    scroll_label: rx.Var[str]
    # Reflex reads the call at run time; mypy sees an annotation it cannot type.
    on_move: rx.EventHandler[passthrough_event_spec(int, str)]  # type: ignore[type-arg,valid-type]

    def add_imports(self) -> dict:
        return _imports(
            "DndContext",
            "DragOverlay",
            "KeyboardSensor",
            "MouseSensor",
            "TouchSensor",
            "pointerWithin",
            "rectIntersection",
            "useDroppable",
            "useSensor",
            "useSensors",
        )

    def add_custom_code(self) -> list[str]:
        return [_BOARD_JS]


class DndColumn(rx.Component):
    """A column: a `section` named `name`, a drop target for the column `column`."""

    tag = "PrmDndColumn"
    column: rx.Var[str]
    name: rx.Var[str]

    def add_imports(self) -> dict:
        return _imports("useDroppable")

    def add_custom_code(self) -> list[str]:
        return [_COLUMN_JS]


class DndCard(rx.Component):
    """A card: an `article` named `name`, draggable unless `disabled`."""

    tag = "PrmDndCard"
    deal: rx.Var[int]
    column: rx.Var[str]
    origin: rx.Var[str]  # the name of the card's column
    name: rx.Var[str]
    company: rx.Var[str]
    amount: rx.Var[str]
    disabled: rx.Var[bool]

    def add_imports(self) -> dict:
        return _imports("useDraggable")

    def add_custom_code(self) -> list[str]:
        return [_CARD_JS]


board = DndBoard.create
column = DndColumn.create
card = DndCard.create
