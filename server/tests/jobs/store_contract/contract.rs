//! The contract cases, each an `async fn` over the store under test; `store_contract.rs` runs
//! every one against every backend. They are grouped by concept and re-exported here as
//! `contract::*`.

mod animation_ending;
mod animations;
mod claims;
mod deletion;
mod events;
mod owner;
mod retention;
mod retries;
mod submissions;

pub use animation_ending::*;
pub use animations::*;
pub use claims::*;
pub use deletion::*;
pub use events::*;
pub use owner::*;
pub use retention::*;
pub use retries::*;
pub use submissions::*;
