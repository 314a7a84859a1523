//! render-core's integration tests, one binary (one link) for all of them, one module per concept:
//! the escape definition and its SIMD kernels, validation, the hash, the pipeline and its
//! encoders, colouring, stopping inside a band, and deep zoom (decimal parameters, orbit cache,
//! perturbation against direct arbitrary-precision iteration).

mod colour_mappings;
mod colouring;
mod deep_kernels_match_scalar;
mod deep_orbit_cache;
mod deep_params_contract;
mod deep_zoom_matches_direct_iteration;
mod escape_definition;
mod hash_golden;
mod kernels_yield;
mod npy_output;
mod params_fuzz;
mod render_pipeline;
mod rng;
mod simd_kernels_match_reference;
mod stop_inside_band;
mod validation_names_fields;
