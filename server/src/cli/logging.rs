//! Logging for every subcommand: `tracing` to stderr, colours only on a terminal, `RUST_LOG`
//! overriding the subcommand's default filter.

use std::io::IsTerminal;

/// wgpu-hal logs every backend it probes and fails (EGL on a headless box) as an error; those are
/// not errors of ours, so every default filter silences it.
pub fn init_logging(default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!("{default_filter},wgpu_hal=off"))
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
