"""What Reflex loads for each event. A computed var of a page's state that reads a var of
AppState (the viewer's role, say) makes Reflex load that page's state, from Redis, at every
event of every tab: in the load run, the import and onboarding pages' states were read and
written back with each of the 150 events a second (benchmarks/README.md, session 40)."""

import reflex as rx

import prm_app.prm_app  # noqa: F401  (every page's state is defined)
from prm_app.state.base import AppState
from prm_app.state.imports import ImportState
from prm_app.state.partner_onboarding import PartnerOnboardingState


def test_no_page_state_is_loaded_with_every_event():
    assert AppState._potentially_dirty_states == set()
    assert AppState._always_dirty_substates == set()
    assert rx.State._potentially_dirty_states <= {rx.State.get_full_name()}


def test_the_pages_that_read_the_viewer_keep_their_own_copy():
    assert "required_fields" in {var for _, var in ImportState._var_dependencies["_opened_as"]}
    assert {"sign_refusal", "tick_refusal"} <= set(PartnerOnboardingState.base_vars)
