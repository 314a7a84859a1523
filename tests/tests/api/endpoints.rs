//! Every endpoint of docs/DESIGN.md §4 and its status codes, against the real binary over HTTP.
//!
//! The tests are grouped by concept: submitting jobs ([`submit`]), canceling and replacing them
//! ([`cancel`]), reading jobs and their results back ([`results`]), and the service surface around
//! the job API: health, info, metrics, OpenAPI, routing errors and CORS ([`service`]).

use std::time::Duration;

mod cancel;
mod results;
mod service;
mod submit;

const DONE_TIMEOUT: Duration = Duration::from_secs(60);
