//! `julia-server`: serve the job API, render one image from the command line, or run a
//! distributed render worker (docs/DESIGN.md §3b).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use julia_server::cli;

#[derive(Parser)]
#[command(
    name = "julia-server",
    version,
    about = "Julia-set render service: GPU (wgpu) with CPU fallback"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP job API (and, unless told otherwise, render workers in-process).
    Serve(cli::serve::ServeArgs),
    /// Render one image to a file.
    Render(cli::render::RenderArgs),
    /// Render a zoom or morph video from a spec of keyframes (.mp4, .webm or PNG frames).
    Animate(cli::animate::AnimateArgs),
    /// Run a render worker against a shared PostgreSQL job store (no HTTP API).
    Worker(cli::worker::WorkerArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => cli::serve::run(args),
        Command::Render(args) => cli::render::run(args),
        Command::Worker(args) => cli::worker::run(args),
        Command::Animate(args) => cli::animate::run(args),
    }
}
