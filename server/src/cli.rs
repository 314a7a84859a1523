//! The subcommands of `julia-server`, one file each.

pub mod animate;
pub mod backend;
pub mod logging;
pub mod render;
pub mod serve;
pub mod worker;
