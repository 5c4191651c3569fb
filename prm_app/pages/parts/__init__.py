"""Parts of pages bound to their page's state (the frame, the board, the settings tabs, the
deal's money card): composed from the state-free building blocks in prm_app/components."""
