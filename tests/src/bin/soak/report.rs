//! The soak's figures: one column per mode, printed and written into the measured section of
//! `docs/RELIABILITY.md` (between markers, so the hand-written explanation around it stays).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::ledger::{Ledger, Outcome};

/// What one mode's run measured.
pub struct ModeReport {
    pub mode: &'static str,
    pub seconds: u64,
    pub clients: usize,
    pub kills: u64,
    pub kills_during_render: u64,
    pub requests: u64,
    pub connection_errors: u64,
    pub server_errors: u64,
    pub first_server_errors: Vec<String>,
    pub acknowledged: usize,
    pub finished: usize,
    pub canceled: usize,
    pub failed: BTreeMap<String, usize>,
    pub lost: Vec<String>,
    pub finished_twice: Vec<String>,
    pub downloads: u64,
    pub bad_downloads: Vec<String>,
    pub sse_streams: u64,
    pub sse_events: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub per_op: Vec<(&'static str, usize, f64, f64)>,
}

impl ModeReport {
    pub fn from_ledger(
        mode: &'static str,
        seconds: u64,
        clients: usize,
        ledger: &Ledger,
        doubles_in_logs: Vec<String>,
    ) -> ModeReport {
        let mut failed = BTreeMap::new();
        for outcome in ledger.outcomes.values() {
            if let Outcome::Failed(code) = outcome {
                *failed.entry(code.clone()).or_insert(0) += 1;
            }
        }
        let mut finished_twice: Vec<String> = ledger.finished_twice.iter().cloned().collect();
        for id in doubles_in_logs {
            if !finished_twice.contains(&id) {
                finished_twice.push(id);
            }
        }
        ModeReport {
            mode,
            seconds,
            clients,
            kills: ledger.kills,
            kills_during_render: ledger.kills_during_render,
            requests: ledger.requests,
            connection_errors: ledger.connection_errors,
            server_errors: ledger.server_error_count(),
            first_server_errors: ledger.server_errors.clone(),
            acknowledged: ledger.acknowledged.len(),
            finished: ledger.count(|o| *o == Outcome::Finished),
            canceled: ledger.count(|o| *o == Outcome::Canceled),
            failed,
            lost: ledger
                .lost()
                .into_iter()
                .map(|(id, why)| format!("{id}: {why}"))
                .collect(),
            finished_twice,
            downloads: ledger.downloads,
            bad_downloads: ledger.bad_downloads.clone(),
            sse_streams: ledger.sse_streams,
            sse_events: ledger.sse_events,
            p50_ms: ledger.percentile(None, 50.0),
            p99_ms: ledger.percentile(None, 99.0),
            per_op: ledger
                .latency_ms
                .iter()
                .map(|(op, v)| {
                    (
                        *op,
                        v.len(),
                        ledger.percentile(Some(op), 50.0),
                        ledger.percentile(Some(op), 99.0),
                    )
                })
                .collect(),
        }
    }

    /// The three figures that must be zero.
    pub fn passed(&self) -> bool {
        self.lost.is_empty() && self.finished_twice.is_empty() && self.server_errors == 0
    }
}

/// How one row of the table reads its figure from a mode's report.
type Cell = Box<dyn Fn(&ModeReport) -> String>;

/// The Markdown table of every mode, plus the details of anything that went wrong.
pub fn markdown(reports: &[ModeReport], when: &str, machine: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Measured {when} on {machine}.\n");
    let header: Vec<&str> = reports.iter().map(|r| r.mode).collect();
    let _ = writeln!(out, "| | {} |", header.join(" | "));
    let _ = writeln!(out, "| --- |{}", " ---: |".repeat(reports.len()));
    let rows: Vec<(&str, Cell)> = vec![
        ("load and chaos (s)", Box::new(|r| r.seconds.to_string())),
        ("concurrent clients", Box::new(|r| r.clients.to_string())),
        ("`kill -9` survived", Box::new(|r| r.kills.to_string())),
        (
            "… of them during a render",
            Box::new(|r| r.kills_during_render.to_string()),
        ),
        ("requests", Box::new(|r| r.requests.to_string())),
        (
            "no answer (process down)",
            Box::new(|r| r.connection_errors.to_string()),
        ),
        ("jobs accepted", Box::new(|r| r.acknowledged.to_string())),
        ("jobs finished", Box::new(|r| r.finished.to_string())),
        (
            "jobs canceled on request",
            Box::new(|r| r.canceled.to_string()),
        ),
        ("jobs failed (code)", Box::new(|r| failed_text(&r.failed))),
        (
            "**jobs lost**",
            Box::new(|r| format!("**{}**", r.lost.len())),
        ),
        (
            "**jobs finished twice**",
            Box::new(|r| format!("**{}**", r.finished_twice.len())),
        ),
        (
            "**5xx answers**",
            Box::new(|r| format!("**{}**", r.server_errors)),
        ),
        (
            "results downloaded (bad)",
            Box::new(|r| format!("{} ({})", r.downloads, r.bad_downloads.len())),
        ),
        (
            "SSE streams (events)",
            Box::new(|r| format!("{} ({})", r.sse_streams, r.sse_events)),
        ),
        (
            "latency p50 / p99 (ms)",
            Box::new(|r| format!("{:.1} / {:.1}", r.p50_ms, r.p99_ms)),
        ),
    ];
    for (name, value) in &rows {
        let cells: Vec<String> = reports.iter().map(value).collect();
        let _ = writeln!(out, "| {name} | {} |", cells.join(" | "));
    }
    for r in reports {
        let _ = writeln!(out, "\nLatency by operation, {} mode (ms):\n", r.mode);
        let _ = writeln!(
            out,
            "| operation | answers | p50 | p99 |\n| --- | ---: | ---: | ---: |"
        );
        for (op, n, p50, p99) in &r.per_op {
            let _ = writeln!(out, "| {op} | {n} | {p50:.1} | {p99:.1} |");
        }
        for (title, items) in [
            ("lost", &r.lost),
            ("finished twice", &r.finished_twice),
            ("5xx", &r.first_server_errors),
            ("bad downloads", &r.bad_downloads),
        ] {
            if !items.is_empty() {
                let _ = writeln!(out, "\n{} mode, {title}:\n", r.mode);
                for item in items.iter().take(20) {
                    let _ = writeln!(out, "- {item}");
                }
            }
        }
    }
    out
}

fn failed_text(failed: &BTreeMap<String, usize>) -> String {
    if failed.is_empty() {
        return "0".to_string();
    }
    failed
        .iter()
        .map(|(code, n)| format!("{n} `{code}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

const BEGIN: &str = "<!-- soak:begin -->";
const END: &str = "<!-- soak:end -->";

/// Replaces the measured section of `path` (between the markers) with `section`.
pub fn write_section(path: &Path, section: &str) -> std::io::Result<()> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let replaced = match (text.find(BEGIN), text.find(END)) {
        (Some(b), Some(e)) if b < e => {
            format!("{}{BEGIN}\n{section}{}", &text[..b], &text[e..])
        }
        _ => format!("{text}\n{BEGIN}\n{section}{END}\n"),
    };
    std::fs::write(path, replaced)
}
