//! The job store and the workers below the HTTP layer, one binary for all of them: the store
//! contract on SQLite and PostgreSQL ([`store_contract`]), start-up recovery of the embedded store
//! ([`sqlite_recovery`]) and a full disk under a worker ([`worker_storage`]).
//!
//! `background_threads.rs` stays a binary of its own: it must set up rayon's global pool before
//! anything in its process starts it.

mod sqlite_recovery;
mod store_contract;
mod worker_storage;
