//! The contract cases, each an `async fn` over the store under test; `main.rs` runs every one
//! against every backend. They are grouped by concept and re-exported here as `contract::*`.

mod claims;
mod deletion;
mod events;
mod submissions;

pub use claims::*;
pub use deletion::*;
pub use events::*;
pub use submissions::*;
