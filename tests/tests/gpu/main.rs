//! The wgpu renderer on whatever adapter the machine has (Mesa lavapipe in CI), one test binary:
//! GPU/CPU parity ([`parity`]), deep zoom on the GPU against the CPU's deep path ([`deep`]), the
//! stop flag between submissions ([`stop`]), adapter discovery ([`adapters`]) and the server's
//! workers beside a software adapter ([`workers`]). Without an adapter the tests print a notice
//! and pass; with `RENDER_REQUIRE_GPU=1` they fail.

mod adapters;
mod deep;
mod parity;
mod stop;
mod workers;
