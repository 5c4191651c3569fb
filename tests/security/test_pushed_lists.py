"""The leads lists as pushed views (state.live, state.lead_lists), through the running app: a
colleague's change reaches every tab showing the list without the tab sending anything, each
tab's page as its own session sees it and as its own filters show it."""

import queue
import time

from prm_app.services import leads
from prm_app.services.core.unit_of_work import unit_of_work
from prm_app.services.identity import auth
from prm_app.state import live
from tests.harness import DEMO_PASSWORD
from tests.security.hostile_client import HostileClient
from tests.security.test_anonymous_access import api_url
from tests.security.test_session_replay import event, sign_in_cookie
from tests.security.test_session_safety import _watchers

LEADS = "/c/leads"
COMPANY = "Pushed Without Asking Ltd"


def _tab(email: str, *filters: tuple[str, dict]) -> HostileClient:
    tab = HostileClient(api_url(), cookie=sign_in_cookie(email))
    tab.exchange(event("sent_leads_state.load_leads"), {}, path=LEADS)
    for handler, payload in filters:
        tab.exchange(event(handler), payload, path=LEADS)
    return tab


def _pushed(tab: HostileClient, timeout: float = 10.0) -> dict:
    """The next pushed view the tab is sent (it sends nothing meanwhile): the list's vars."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            delta = tab.updates.get(timeout=left).get("delta") or {}
        except queue.Empty:
            break
        marked = [s for s in delta if s.endswith("leads_pulse") and "pushed_rx_state_" in delta[s]]
        lists = [values for s, values in delta.items() if s.endswith("sent_leads_state")]
        if marked and lists:
            return {k.removesuffix("_rx_state_"): v for k, v in lists[0].items()}
    raise AssertionError("no view was pushed")


def _companies(pushed: dict) -> list[str]:
    return [row["company"] for row in pushed["rows"]]


def test_a_colleagues_draft_is_pushed_to_each_tab_as_it_sees_the_list(harness, db):
    admin = _tab("admin@fabrikam.example")
    member = _tab("member@fabrikam.example")  # a member sees only the leads they own
    searching = _tab(
        "admin@fabrikam.example", ("sent_leads_state.set_search", {"value": "no such company"})
    )
    tabs = (admin, member, searching)
    try:
        with unit_of_work() as session:  # a colleague's draft, committed in the backend's process
            manager = auth.authenticate(
                session, email="manager@fabrikam.example", password=DEMO_PASSWORD
            )
            topic = f"{live.PUSH}leads:{manager.org_id}"
            assert all(tab.token in _watchers(topic) for tab in tabs)
            data = leads.checked_form(
                {
                    "first_name": "Ada",
                    "last_name": "Push",
                    "email": "ada@push.example",
                    "company": COMPANY,
                },
                [],
                submitting=False,
            )
            leads.save_draft(session, actor=manager, data=data, owner_id=str(manager.user_id))
        seen = _pushed(admin)
        assert COMPANY in _companies(seen) and seen["total"] >= 1
        assert COMPANY not in _companies(_pushed(member))
        assert _pushed(searching)["rows"] == []
    finally:
        for tab in tabs:
            tab.close()
