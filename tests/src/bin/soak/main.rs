//! `julia-soak`, behind `make soak`: for a bounded time, many loopback clients submit, poll,
//! download, cancel and stream events against the real `julia-server` while a chaos loop kills it
//! (SQLite mode) or a worker (distributed mode, PostgreSQL) with SIGKILL at random moments. Then
//! every acknowledged job is accounted for: finished (with a readable result), canceled on
//! request, failed with a code, or lost. It prints the figures, can write them into
//! `docs/RELIABILITY.md`, and exits non-zero when a job was lost or finished twice or any answer
//! was a 5xx. Loopback only; bounded in time and in count.

mod clients;
mod ledger;
mod report;
mod settle;
mod system;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};

use clients::{Rng, Shared};
use report::ModeReport;
use system::System;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Modes {
    Sqlite,
    Distributed,
    Both,
}

#[derive(Parser, Debug)]
#[command(
    about = "Soak test: load plus kill -9 chaos against julia-server; 0 lost, 0 double, 0 5xx"
)]
struct Args {
    /// Seconds of load and chaos in each mode.
    #[arg(long, default_value_t = 120)]
    seconds: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 24)]
    clients: usize,
    /// Fewest seconds between two kills (each wait is random between this and --kill-max).
    #[arg(long, default_value_t = 3.0)]
    kill_min: f64,
    #[arg(long, default_value_t = 10.0)]
    kill_max: f64,
    #[arg(long, value_enum, default_value = "both")]
    modes: Modes,
    /// Seed of every random choice (params, operations, kill times).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Seconds allowed, after the chaos, for every accepted job to become final.
    #[arg(long, default_value_t = 300)]
    settle_seconds: u64,
    /// Write the figures into this Markdown file, between `<!-- soak:begin/end -->` markers.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The julia-server binary [default: the one beside this program].
    #[arg(long)]
    server: Option<PathBuf>,
    /// Extra argument for every julia-server process (repeatable).
    #[arg(long = "server-arg", allow_hyphen_values = true)]
    server_args: Vec<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let bin = args.server.clone().unwrap_or_else(|| {
        let exe = std::env::current_exe().expect("own path");
        exe.with_file_name(format!("julia-server{}", std::env::consts::EXE_SUFFIX))
    });
    if !bin.is_file() {
        eprintln!(
            "julia-soak: {} not found (build it with `cargo build -p julia-server`)",
            bin.display()
        );
        return ExitCode::from(2);
    }
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let modes: &[&str] = match args.modes {
        Modes::Sqlite => &["sqlite"],
        Modes::Distributed => &["distributed"],
        Modes::Both => &["sqlite", "distributed"],
    };
    let mut reports = Vec::new();
    for mode in modes {
        eprintln!(
            "julia-soak: {mode} mode, {} s, {} clients",
            args.seconds, args.clients
        );
        let system = if *mode == "sqlite" {
            System::sqlite(&bin, &args.server_args)
        } else {
            System::distributed(&bin, &args.server_args)
        };
        let report = runtime.block_on(run_mode(&args, system));
        println!(
            "{}",
            report::markdown(std::slice::from_ref(&report), "now", "this machine")
        );
        reports.push(report);
    }
    if let Some(path) = &args.out {
        let when = time_now();
        let machine = format!(
            "{} cores, loopback only, seed {}, kills every {}–{} s",
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            args.seed,
            args.kill_min,
            args.kill_max
        );
        let section = report::markdown(&reports, &when, &machine);
        if let Err(err) = report::write_section(path, &section) {
            eprintln!("julia-soak: cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
    }
    if reports.iter().all(ModeReport::passed) {
        println!("soak: 0 lost, 0 finished twice, 0 5xx");
        ExitCode::SUCCESS
    } else {
        eprintln!("julia-soak: FAILED (see the figures above)");
        ExitCode::FAILURE
    }
}

async fn run_mode(args: &Args, system: System) -> ModeReport {
    let mode = system.mode();
    let shared = Arc::new(Shared::new(system.base()));
    let system = Arc::new(Mutex::new(system));
    let until = Instant::now() + Duration::from_secs(args.seconds);

    let observer = tokio::spawn(clients::observer(shared.clone(), until));
    let clients: Vec<_> = (0..args.clients)
        .map(|i| {
            let seed = args.seed.wrapping_mul(1000).wrapping_add(i as u64 + 1);
            tokio::spawn(clients::client_loop(shared.clone(), seed, until))
        })
        .collect();
    chaos(args, &shared, &system, until).await;
    for client in clients {
        let _ = client.await;
    }
    let _ = observer.await;

    eprintln!("julia-soak: chaos over, waiting for every accepted job to become final");
    settle::settle(&shared, Duration::from_secs(args.settle_seconds)).await;
    let logs = system.lock().expect("system lock").log_texts();
    let doubles: Vec<String> = settle::completions_in_logs(&logs)
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(id, n)| format!("{id} (completed {n} times in the logs)"))
        .collect();
    let ledger = shared.ledger();
    ModeReport::from_ledger(mode, args.seconds, args.clients, &ledger, doubles)
}

/// Kills a process at random moments until `until`.
async fn chaos(args: &Args, shared: &Shared, system: &Arc<Mutex<System>>, until: Instant) {
    let mut rng = Rng::new(args.seed ^ 0xC4A0_5EED);
    loop {
        let wait = args.kill_min + (args.kill_max - args.kill_min).max(0.0) * rng.unit();
        let at = Instant::now() + Duration::from_secs_f64(wait);
        if at >= until {
            tokio::time::sleep(until.saturating_duration_since(Instant::now())).await;
            return;
        }
        tokio::time::sleep_until(at.into()).await;
        let running = clients::running_renders(shared).await;
        let pick = rng.next();
        let system = system.clone();
        let killed = tokio::task::spawn_blocking(move || {
            system.lock().expect("system lock").kill_and_restart(pick)
        })
        .await
        .expect("restart");
        let mut ledger = shared.ledger();
        ledger.kills += 1;
        if running > 0 {
            ledger.kills_during_render += 1;
        }
        eprintln!("julia-soak: kill -9 {killed} ({running} renders running); restarted");
    }
}

fn time_now() -> String {
    let out = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output();
    out.ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "today".to_string())
}
