//! End-to-end test support; the tests themselves live in `tests/tests/`.
