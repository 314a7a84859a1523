//! julia-server library.
