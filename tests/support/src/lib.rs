//! Test fixtures that both the server crate's tests and the end-to-end tests (`julia-tests`) need.
//! A crate of its own so that neither depends on the other: it knows none of our crates.

pub mod pg_cluster;
