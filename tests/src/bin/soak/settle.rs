//! After the chaos: wait until every acknowledged job is final and decide what became of it, and
//! count completions per job in every process's log, so a job rendered to completion twice
//! cannot hide behind a store that shows it once.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::clients::{Shared, download};
use crate::ledger::Outcome;

/// Polls every acknowledged job until it is final or `timeout` has passed, and records outcomes.
pub async fn settle(shared: &Shared, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    let ids: Vec<String> = shared.ledger().acknowledged.keys().cloned().collect();
    for id in ids {
        let outcome = final_outcome(shared, &id, deadline).await;
        shared.ledger().outcomes.insert(id, outcome);
    }
}

async fn final_outcome(shared: &Shared, id: &str, deadline: Instant) -> Outcome {
    loop {
        let resp = shared
            .http
            .get(format!("{}/api/jobs/{id}", shared.base))
            .send()
            .await;
        if let Ok(resp) = resp {
            let status = resp.status().as_u16();
            let job: Value = resp.json().await.unwrap_or(Value::Null);
            if status == 404 {
                return Outcome::Lost("the service no longer knows the job".to_string());
            }
            shared.ledger().observe(&job);
            let cancel_requested = shared
                .ledger()
                .acknowledged
                .get(id)
                .is_some_and(|a| a.cancel_requested);
            match job["status"].as_str() {
                Some("done") => {
                    return match download(shared, id, &job).await {
                        Ok(()) => Outcome::Finished,
                        Err(why) => Outcome::Lost(format!("done, but {why}")),
                    };
                }
                Some("canceled") if cancel_requested => return Outcome::Canceled,
                Some("canceled") => {
                    return Outcome::Lost("canceled although nobody asked".to_string());
                }
                Some("failed") => {
                    let code = job["error"]["code"].as_str().unwrap_or("?").to_string();
                    // The retry cap is the one failure the chaos may cause by design (a job
                    // running at every one of its attempts' kills); anything else is work lost.
                    return if code == "too_many_attempts" {
                        Outcome::Failed(code)
                    } else {
                        Outcome::Lost(format!("failed: {}", job["error"]))
                    };
                }
                _ => {}
            }
        }
        if Instant::now() >= deadline {
            return Outcome::Lost("not final when the soak ended".to_string());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Completions per job id, from the workers' `done` log lines (`job{id=…}: …: done ms=…`).
pub fn completions_in_logs(logs: &[String]) -> HashMap<String, u32> {
    let mut counts = HashMap::new();
    for line in logs.iter().flat_map(|log| log.lines()) {
        if !line.contains(": done ms=") {
            continue;
        }
        let Some(start) = line.find("job{id=") else {
            continue;
        };
        let rest = &line[start + "job{id=".len()..];
        let id: String = rest
            .chars()
            .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
            .collect();
        *counts.entry(id).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::completions_in_logs;

    #[test]
    fn counts_done_lines_per_job() {
        let logs = vec![
            "2026-01-01T00:00:00Z  INFO job{id=0a-1 hash=ff}: julia_server::jobs::worker: done ms=3 bytes=9\n\
             2026-01-01T00:00:00Z  INFO job{id=0a-1 hash=ff}: julia_server::jobs::worker: rendering width=1"
                .to_string(),
            "2026-01-01T00:00:01Z  INFO job{id=0a-1 hash=ff}: julia_server::jobs::worker: done ms=4 bytes=9"
                .to_string(),
        ];
        let counts = completions_in_logs(&logs);
        assert_eq!(counts.get("0a-1"), Some(&2));
        assert_eq!(counts.len(), 1);
    }
}
