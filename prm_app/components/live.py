"""Live updates: run an event in the browser whenever a state var changes."""

from typing import Any

import reflex as rx
from reflex.vars import LiteralVar, VarData
from reflex_base.utils.imports import ImportVar

FOLLOW_SPREAD_MS = 500  # a page re-reads after a random pause up to this long (see `follow`)


class OnChange(rx.Fragment):
    """Renders nothing; fires `on_change` when `value` changes (and once when first shown).

    Watching a shared version counter, it lets each browser re-read its own view, with its
    own permissions, whenever someone else changed the data behind it.
    """

    value: rx.Var[int]
    # Milliseconds: fire after a random pause up to this long (a later change restarts it).
    spread: rx.Var[int]
    on_change: rx.EventHandler[rx.event.no_args_event_spec]

    def add_hooks(self) -> list[str | rx.Var]:
        chain = LiteralVar.create(self.event_triggers["on_change"])
        fire = f"({chain})();"
        if self.spread is not None:
            fire = f"const t = setTimeout(() => {{ {fire} }}, Math.random() * {self.spread}); "
            fire += "return () => clearTimeout(t);"
        return [
            rx.Var(
                f"useEffect(() => {{ {fire} }}, [{self.value}]);",
                _var_data=VarData.merge(
                    VarData(imports={"react": [ImportVar(tag="useEffect")]}),
                    self.value._get_all_var_data(),
                    chain._get_all_var_data(),
                ),
            )
        ]

    def _exclude_props(self) -> list[str]:
        return ["value", "spread", "on_change"]


on_change = OnChange.create


def follow(version: Any, handler: Any) -> rx.Component:
    """Renders nothing; calls `handler(version)` (a page's `follow` event) when the pulse
    `version` moves, so that the page re-reads what it shows with its viewer's permissions.
    Each tab waits a random part of FOLLOW_SPREAD_MS first: the tabs told of a change together
    then re-read one after another rather than all in one instant."""
    return OnChange.create(value=version, spread=FOLLOW_SPREAD_MS, on_change=handler(version))
