"""The browser's side of a pulse (components/live.py): when its re-read fires."""

from prm_app.components.live import FOLLOW_SPREAD_MS, follow, on_change
from prm_app.state.leads import SentLeadsState
from prm_app.state.live import LeadsPulse


def effect(component) -> str:
    (hook,) = [h for h in component._get_all_hooks() if h.startswith("useEffect")]
    return hook


def test_a_page_re_reads_after_a_random_pause_that_a_later_pulse_restarts():
    hook = effect(follow(LeadsPulse.version, SentLeadsState.follow))
    assert "setTimeout(() => { ((" in hook and f"Math.random() * {FOLLOW_SPREAD_MS})" in hook
    assert "return () => clearTimeout(t);" in hook  # the pulse moved again: the newer one fires
    assert hook.endswith(
        "[reflex___state____state__prm_app___state___live____leads_pulse.version_rx_state_]);"
    )


def test_a_plain_on_change_fires_at_once():
    hook = effect(on_change(value=LeadsPulse.version, on_change=SentLeadsState.follow(1)))
    assert "setTimeout" not in hook and hook.startswith("useEffect(() => { ((")
