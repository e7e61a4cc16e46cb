//! TestState (in progress).
