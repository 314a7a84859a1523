//! Queue benchmark of the PostgreSQL job store on a throwaway local cluster:
//! claim latency (enqueue → running) with idle workers woken by LISTEN/NOTIFY, and claim
//! throughput (claim + complete of no-op jobs) for 1, 2 and 4 workers.
//!
//! Run: `cargo run --release -p julia-server --example queue_bench` (needs PostgreSQL binaries,
//! see tests/support/src/pg_cluster.rs). Numbers go to docs/DISTRIBUTED.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use julia_server::store::{self, Completion, JobStore, NewJob};
use render_core::{Limits, canonical_hash, parse_params};

const LEASE: Duration = Duration::from_secs(30);
const LATENCY_SAMPLES: u32 = 300;
const THROUGHPUT_JOBS: u32 = 3000;

fn new_job(seed: u32) -> NewJob {
    let json = format!(
        r#"{{"width": 4, "height": 4, "c": {{"re": -0.8, "im": {}}}}}"#,
        f64::from(seed) * 1e-9
    );
    let params = parse_params(&json, &Limits::default()).expect("valid params");
    NewJob {
        hash: canonical_hash(&params),
        params,
        owner: None,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Idle workers (each its own store: own pool and listener, like separate processes) wait on the
/// work signal; a producer enqueues one job at a time and the time to `running` is measured.
async fn claim_latency(cluster: &test_support::pg_cluster::PgCluster, workers: usize) {
    let url = cluster.create_database("latency");
    let producer = store::open(&url, store::StoreOptions::default())
        .await
        .expect("producer store");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    for w in 0..workers {
        let store = store::open(&url, store::StoreOptions::default())
            .await
            .expect("worker store");
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut work = store.work_signal();
            loop {
                work.borrow_and_update();
                match store.claim(&format!("w{w}"), LEASE).await.expect("claim") {
                    Some(claimed) => {
                        let _ = tx.send(Instant::now());
                        let done = Completion {
                            backend: "none".into(),
                            device: "none".into(),
                            duration_ms: 0,
                        };
                        store
                            .complete(claimed.job.id, claimed.token, done)
                            .await
                            .expect("complete");
                    }
                    None => {
                        let _ = work.changed().await;
                    }
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut samples = Vec::new();
    for seed in 0..LATENCY_SAMPLES {
        let sent = Instant::now();
        producer
            .insert_or_get(new_job(seed), u64::MAX)
            .await
            .expect("insert");
        let claimed = rx.recv().await.expect("a worker claimed it");
        samples.push(claimed - sent);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    samples.sort();
    println!(
        "claim latency, {workers} idle workers, {LATENCY_SAMPLES} jobs: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3,
    );
}

/// A full queue of no-op jobs drained by `workers` concurrent claim + complete loops.
async fn claim_throughput(cluster: &test_support::pg_cluster::PgCluster, workers: usize) {
    let url = cluster.create_database(&format!("throughput_{workers}"));
    let seed_store = store::open(&url, store::StoreOptions::default())
        .await
        .expect("store");
    for seed in 0..THROUGHPUT_JOBS {
        seed_store
            .insert_or_get(new_job(seed), u64::MAX)
            .await
            .expect("insert");
    }
    let stores: Vec<Arc<dyn JobStore>> = futures::future::join_all(
        (0..workers).map(|_| store::open(&url, store::StoreOptions::default())),
    )
    .await
    .into_iter()
    .map(|s| s.unwrap())
    .collect();
    let started = Instant::now();
    let tasks = stores.into_iter().enumerate().map(|(w, store)| {
        tokio::spawn(async move {
            let mut n = 0u32;
            while let Some(claimed) = store.claim(&format!("w{w}"), LEASE).await.expect("claim") {
                let done = Completion {
                    backend: "none".into(),
                    device: "none".into(),
                    duration_ms: 0,
                };
                assert!(
                    store
                        .complete(claimed.job.id, claimed.token, done)
                        .await
                        .expect("complete")
                );
                n += 1;
            }
            n
        })
    });
    let total: u32 = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|n| n.unwrap())
        .sum();
    let elapsed = started.elapsed();
    assert_eq!(total, THROUGHPUT_JOBS, "every job claimed once");
    println!(
        "throughput, {workers} workers: {total} claim+complete in {:.2} s = {:.0} jobs/s",
        elapsed.as_secs_f64(),
        f64::from(total) / elapsed.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let cluster = test_support::pg_cluster::PgCluster::start();
    claim_latency(&cluster, 2).await;
    for workers in [1, 2, 4] {
        claim_throughput(&cluster, workers).await;
    }
}
