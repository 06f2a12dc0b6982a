//! Workspace-level black-box suites; see `tests/`.
