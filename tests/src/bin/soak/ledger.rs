//! The soak's books: every answer the clients got, every job the service acknowledged, and what
//! became of each. Shared by all client tasks behind one mutex (the soak's request rate is far
//! below what a mutex costs).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

/// One job the service acknowledged with an id (202, or 200 for a deduplicated submission).
#[derive(Clone, Debug)]
pub struct Acknowledged {
    /// A cancel was sent (its answer may have been lost to a kill): `canceled` is then expected.
    pub cancel_requested: bool,
}

/// What became of an acknowledged job once the chaos stopped.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Done, and its result downloaded and decoded.
    Finished,
    /// Canceled after we asked for it.
    Canceled,
    /// Failed by the retry cap (reported, not counted as lost: the client was told why).
    Failed(String),
    /// Gone, canceled without a request, never final, or done without a readable result.
    Lost(String),
}

#[derive(Default)]
pub struct Ledger {
    pub acknowledged: HashMap<String, Acknowledged>,
    pub requests: u64,
    pub by_status: BTreeMap<u16, u64>,
    /// The first few 5xx answers, for the report.
    pub server_errors: Vec<String>,
    /// Requests that got no HTTP answer (refused or cut while a process was down).
    pub connection_errors: u64,
    /// Milliseconds per operation, of requests that got an answer.
    pub latency_ms: BTreeMap<&'static str, Vec<f64>>,
    /// `finished_at` of each job seen `done`; a second, different one is a double completion.
    finished_at: HashMap<String, String>,
    pub finished_twice: BTreeSet<String>,
    pub downloads: u64,
    pub bad_downloads: Vec<String>,
    pub sse_streams: u64,
    pub sse_events: u64,
    pub kills: u64,
    /// Kills that landed while at least one render was running.
    pub kills_during_render: u64,
    pub outcomes: BTreeMap<String, Outcome>,
}

impl Ledger {
    pub fn answer(&mut self, op: &'static str, status: u16, millis: f64, what: &str) {
        self.requests += 1;
        *self.by_status.entry(status).or_default() += 1;
        self.latency_ms.entry(op).or_default().push(millis);
        if status >= 500 && self.server_errors.len() < 20 {
            self.server_errors.push(format!("{status} on {op}: {what}"));
        }
    }

    pub fn no_answer(&mut self) {
        self.requests += 1;
        self.connection_errors += 1;
    }

    pub fn acknowledge(&mut self, job: &Value) {
        if let Some(id) = job["id"].as_str() {
            self.acknowledged
                .entry(id.to_string())
                .or_insert(Acknowledged {
                    cancel_requested: false,
                });
            self.observe(job);
        }
    }

    /// Notes a job record seen anywhere (poll, list, event stream).
    pub fn observe(&mut self, job: &Value) {
        let (Some(id), Some("done")) = (job["id"].as_str(), job["status"].as_str()) else {
            return;
        };
        let Some(at) = job["finished_at"].as_str() else {
            return;
        };
        match self.finished_at.get(id) {
            Some(first) if first != at => {
                self.finished_twice.insert(id.to_string());
            }
            Some(_) => {}
            None => {
                self.finished_at.insert(id.to_string(), at.to_string());
            }
        }
    }

    pub fn server_error_count(&self) -> u64 {
        self.by_status
            .iter()
            .filter(|(status, _)| **status >= 500)
            .map(|(_, n)| n)
            .sum()
    }

    pub fn count(&self, wanted: impl Fn(&Outcome) -> bool) -> usize {
        self.outcomes.values().filter(|o| wanted(o)).count()
    }

    pub fn lost(&self) -> Vec<(&String, &String)> {
        self.outcomes
            .iter()
            .filter_map(|(id, o)| match o {
                Outcome::Lost(why) => Some((id, why)),
                _ => None,
            })
            .collect()
    }

    /// p-th percentile (0..=100) of all latencies, or of one operation's.
    pub fn percentile(&self, op: Option<&str>, p: f64) -> f64 {
        let mut all: Vec<f64> = self
            .latency_ms
            .iter()
            .filter(|(name, _)| op.is_none_or(|op| op == **name))
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        if all.is_empty() {
            return 0.0;
        }
        all.sort_by(f64::total_cmp);
        let rank = ((p / 100.0) * (all.len() - 1) as f64).round() as usize;
        all[rank.min(all.len() - 1)]
    }
}
