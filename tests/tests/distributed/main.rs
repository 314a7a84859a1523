//! Distributed mode against real processes on a throwaway PostgreSQL cluster, one test binary:
//! several API nodes on one store ([`nodes`]), a fleet that survives a killed worker
//! ([`fleet`]), fencing of a paused worker ([`fencing`]), a database restart mid-run
//! ([`restart`]), an animation whose frames both workers render through a killed one
//! ([`animation`]), and the soak in miniature on both stores ([`soak_short`]). [`support`] starts
//! the nodes and workers.
//!
//! Build the binary first: `cargo build -p julia-server`.

mod animation;
mod fencing;
mod fleet;
mod nodes;
mod restart;
mod soak_short;
mod support;

/// One test of this binary at a time. Each starts its own cluster and several processes, kills or
/// pauses them and waits out leases on a machine it expects to have to itself; they were
/// binaries of their own, which cargo runs one after another, and every test holds this lock from
/// start to end to keep it so.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
