//! The wgpu renderer on whatever adapter the machine has (Mesa lavapipe in CI), one test binary:
//! GPU/CPU parity ([`parity`]), deep zoom on the GPU against the CPU's deep path ([`deep`]) and
//! the stop flag between submissions ([`stop`]). Without an
//! adapter the tests print a notice and pass; with `RENDER_REQUIRE_GPU=1` they fail.

mod deep;
mod parity;
mod stop;
