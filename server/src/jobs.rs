//! The job system: the render workers, the renderer they drive and the animations' encodes (the Job record they work on
//! is julia-api-types').

pub mod deadline;
pub mod encode;
pub mod renderer;
pub mod watch;
pub mod worker;
