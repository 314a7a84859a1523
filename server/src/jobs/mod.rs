//! The job system: the Job record, the render workers and the renderer they drive.

pub mod deadline;
pub mod model;
pub mod renderer;
pub mod watch;
pub mod worker;

pub use model::{Job, JobError, JobStatus};
