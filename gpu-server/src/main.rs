//! `julia-server`: serve the API, render one image, or run a distributed worker.
fn main() {}
