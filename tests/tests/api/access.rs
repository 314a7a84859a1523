//! Access control and abuse guards against the real binary: API keys and job ownership, the
//! per-client rate limit, JSON-only submissions, the allowed-hosts check, bounded metric labels,
//! the separate metrics listener, and the web UI's security headers.

mod guards;
mod keys;
mod metrics;
mod raw;
mod ui_headers;
