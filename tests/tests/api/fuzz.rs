//! At least 10,000 generated bad requests: wrong types, huge and negative numbers, NaN/Infinity
//! as strings, unknown fields, deep nesting, huge bodies, odd ids and paths, truncated JSON and
//! wrong content types. None may get a 5xx, and the server must still answer afterwards.

mod surface;

use std::time::Duration;

use futures::StreamExt;
use julia_tests::Server;
use serde_json::{Value, json};

/// A deterministic xorshift generator: the same cases on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

#[derive(Debug, Clone)]
struct Case {
    method: reqwest::Method,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

impl Case {
    fn post(body: impl Into<Vec<u8>>) -> Case {
        Case {
            method: reqwest::Method::POST,
            path: "/api/jobs".to_string(),
            content_type: Some("application/json"),
            body: body.into(),
        }
    }
}

const FIELDS: &[&str] = &[
    "width",
    "height",
    "c",
    "center",
    "view_width",
    "max_iter",
    "escape_radius",
    "palette",
    "supersample",
    "precision",
    "format",
];

fn odd_values() -> Vec<Value> {
    vec![
        json!("NaN"),
        json!("Infinity"),
        json!("-Infinity"),
        json!("nan"),
        json!(""),
        json!("64"),
        json!(null),
        json!(true),
        json!(false),
        json!([]),
        json!([1, 2]),
        json!({}),
        json!({"re": 1}),
        json!({"re": "NaN", "im": 0}),
        json!({"re": 1e308, "im": -1e308}),
        json!({"re": 0, "im": 0, "x": 1}),
        json!(-1),
        json!(0),
        json!(-0.0),
        json!(1.5),
        json!(1e308),
        json!(-1e308),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(4294967296u64),
        json!(1_000_001),
        json!(5e-324),
        json!("twilight "),
        json!("F64"),
        json!("PNG"),
        json!("\u{0000}"),
        json!("🦀"),
    ]
}

fn generate(count: usize) -> Vec<Case> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let values = odd_values();
    let valid = json!({"width": 32, "height": 24, "c": {"re": -0.8, "im": 0.156}, "max_iter": 50})
        .to_string();
    let raw_numbers = [
        "1e400",
        "-1e400",
        "NaN",
        "Infinity",
        "-Infinity",
        "0x10",
        "01",
        "1.",
        ".5",
        "+1",
        "99999999999999999999999",
    ];
    let odd_ids = [
        "../../etc/passwd",
        "%2e%2e%2f%2e%2e",
        "%00",
        "%ZZ",
        "00000000-0000-0000-0000-000000000000",
        "6f1c7b4e-0000-4000-8000-00000000000G",
        "'%20OR%201=1--",
        "%F0%9F%A6%80",
        "a/b",
        "..",
        ".",
        "6F1C7B4E-0000-4000-8000-000000000000",
        "{6f1c7b4e-0000-4000-8000-000000000000}",
        "-1",
        "9999999999",
    ];
    let content_types = [
        Some("text/plain"),
        Some("application/xml"),
        Some("multipart/form-data; boundary=x"),
        Some("application/x-www-form-urlencoded"),
        Some("application/json; charset=latin1"),
        None,
    ];
    let mut cases = Vec::with_capacity(count);
    while cases.len() < count {
        let case = match rng.next() % 10 {
            // A field with a value of the wrong type or range.
            0 | 1 => {
                let mut doc: Value = serde_json::from_str(&valid).unwrap();
                doc[*rng.pick(FIELDS)] = rng.pick(&values).clone();
                if rng.one_in(2) {
                    doc[*rng.pick(FIELDS)] = rng.pick(&values).clone();
                }
                Case::post(doc.to_string())
            }
            // Numbers JSON cannot hold, spliced in as raw text.
            2 => Case::post(format!(
                "{{\"{}\": {}}}",
                rng.pick(FIELDS),
                rng.pick(&raw_numbers)
            )),
            // Unknown fields, at the top and inside `c`.
            3 => {
                let name = format!("field_{}", rng.next() % 1000);
                if rng.one_in(2) {
                    Case::post(format!("{{\"{name}\": 1, \"width\": 8}}"))
                } else {
                    Case::post(format!(
                        "{{\"c\": {{\"re\": 0, \"im\": 0, \"{name}\": 2}}}}"
                    ))
                }
            }
            // Deep nesting, up to far past any recursion limit.
            4 => {
                let depth = 1 + (rng.next() % 5000) as usize;
                let (open, close) = if rng.one_in(2) {
                    ("[", "]")
                } else {
                    ("{\"c\":", "}")
                };
                Case::post(format!("{}1{}", open.repeat(depth), close.repeat(depth)))
            }
            // Truncated documents.
            5 => {
                let cut = (rng.next() % valid.len() as u64) as usize;
                Case::post(valid[..cut].to_string())
            }
            // Huge bodies (a few, they are slow to send) and random bytes.
            6 => {
                if rng.one_in(50) {
                    Case::post(format!("{{\"palette\": \"{}\"}}", "x".repeat(200_000)))
                } else {
                    let len = (rng.next() % 64) as usize;
                    Case::post((0..len).map(|_| rng.next() as u8).collect::<Vec<u8>>())
                }
            }
            // Odd ids in every job route.
            7 => {
                let id = rng.pick(&odd_ids);
                let (method, path) = match rng.next() % 4 {
                    0 => (reqwest::Method::GET, format!("/api/jobs/{id}")),
                    1 => (reqwest::Method::DELETE, format!("/api/jobs/{id}")),
                    2 => (reqwest::Method::POST, format!("/api/jobs/{id}/cancel")),
                    _ => (reqwest::Method::GET, format!("/api/jobs/{id}/result")),
                };
                Case {
                    method,
                    path,
                    content_type: None,
                    body: Vec::new(),
                }
            }
            // Odd paths and query strings.
            8 => {
                let paths = [
                    "/api/jobs?limit=-1",
                    "/api/jobs?limit=99999999999999999999",
                    "/api/jobs?limit=",
                    "/api/jobs?limit=1e3",
                    "/api/jobs?limit=%00",
                    "//api//jobs",
                    "/api/jobs/",
                    "/api/jobs?replaces=x",
                    "/api/info/extra",
                    "/api/events/x",
                    "/api/%2e%2e/info",
                    "/metrics?x=%ZZ",
                    "/readyz/",
                    "/api/jobs?limit=1&limit=2",
                ];
                let path = rng.pick(&paths).to_string();
                let method = rng
                    .pick(&[
                        reqwest::Method::GET,
                        reqwest::Method::POST,
                        reqwest::Method::PUT,
                        reqwest::Method::PATCH,
                    ])
                    .clone();
                Case {
                    method,
                    path,
                    content_type: None,
                    body: b"{}".to_vec(),
                }
            }
            // Valid-looking or invalid bodies under wrong content types.
            _ => {
                let body = if rng.one_in(2) {
                    "<params width=\"3\"/>".to_string()
                } else {
                    format!("{{\"width\": {}}}", rng.next() % 3)
                };
                Case {
                    content_type: *rng.pick(&content_types),
                    ..Case::post(body)
                }
            }
        };
        cases.push(case);
    }
    cases
}

#[tokio::test]
async fn ten_thousand_bad_requests_never_get_a_5xx_and_the_server_keeps_answering() {
    // No workers: a generated case that happens to be valid only queues a job.
    let server = Server::start(&[
        "--no-workers",
        "--queue-capacity",
        "1000000",
        // Ten thousand writes from one address are the point here, not abuse.
        "--rate-limit",
        "0",
    ]);
    let cases = generate(10_500);
    let results: Vec<(Case, Result<u16, String>)> = futures::stream::iter(cases)
        .map(|case| {
            let server = &server;
            async move {
                // A connection the server closed after an earlier answer (e.g. a 413 it sent
                // without reading the body) can fail the next request sent on it: that is
                // HTTP/1.1's keep-alive race, not an answer, so such a request is sent again.
                let mut outcome = Err(String::new());
                for _attempt in 0..3 {
                    let mut request = server
                        .client
                        .request(case.method.clone(), server.url(&case.path))
                        .body(case.body.clone());
                    if let Some(ct) = case.content_type {
                        request = request.header("content-type", ct);
                    }
                    outcome = match request.send().await {
                        Ok(resp) => {
                            let status = resp.status().as_u16();
                            // Drain the body so the connection is reused.
                            let _ = resp.bytes().await;
                            Ok(status)
                        }
                        Err(err) => Err(format!("{err:?}")),
                    };
                    if outcome.is_ok() {
                        break;
                    }
                }
                (case, outcome)
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;

    let mut failures = Vec::new();
    let mut answered = 0;
    for (case, outcome) in &results {
        match outcome {
            Ok(status) if *status >= 500 => failures.push(format!("{status} for {case:?}")),
            Ok(_) => answered += 1,
            // A huge body may be cut off by the server's early 413 before it is fully sent.
            Err(_) if case.body.len() > 64 * 1024 => answered += 1,
            Err(err) => failures.push(format!("{err} for {case:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(answered >= 10_000);

    let (status, _) = server.get_json("/healthz").await;
    assert_eq!(status, 200);
    let resp = server
        .client
        .post(server.url("/api/jobs"))
        .json(&json!({"width": 8, "height": 8, "max_iter": 7}))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    assert!(
        !server.log_text().contains("panicked"),
        "the server log shows a panic"
    );
}
