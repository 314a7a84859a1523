//! The job API against the real `julia-server` binary over HTTP, one test binary by area: every
//! endpoint ([`endpoints`]), access control and abuse guards ([`access`]), generated bad requests
//! ([`fuzz`]), outside checkers of the OpenAPI contract ([`contract`]), the event stream
//! ([`events`]), connection limits ([`connections`]), backpressure and drain ([`overload`]),
//! restart recovery ([`recovery`]), admission by work with the job time limit ([`job_limits`]) and
//! deep-zoom jobs ([`deep_jobs`]), and colour without re-rendering with thumbnails
//! ([`colour`]), and animations as frame jobs with one video out ([`animations`]).
//!
//! Every test starts its own server on its own port and data directory, so they run in parallel.
//!
//! Build the binary first: `cargo build -p julia-server`.

mod access;
mod animations;
mod colour;
mod connections;
mod contract;
mod deep_jobs;
mod endpoints;
mod events;
mod fuzz;
mod job_limits;
mod overload;
mod recovery;
