//! The job system: the render workers and the renderer they drive (the Job record they work on
//! is julia-api-types').

pub mod deadline;
pub mod renderer;
pub mod watch;
pub mod worker;
