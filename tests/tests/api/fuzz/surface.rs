//! The HTTP surface beyond the parameters: random and junk methods, forged and oversized
//! `Authorization` headers, foreign `Host` headers and odd content types on every route, against a
//! server with API keys and an allowed-hosts list. No answer may be a 5xx; a foreign Host is
//! always refused (probes excepted); a write without the key is always refused; junk methods never
//! become metric series; and the server keeps answering.

use futures::StreamExt;
use julia_tests::{Server, small_params};
use reqwest::Method;

use super::Rng;

const KEY: &str = "fuzz-key-0123456789abcdef";

struct Probe {
    method: Method,
    path: String,
    authorization: Option<String>,
    host: Option<&'static str>,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

fn generate(rng: &mut Rng, real_job: &str, count: usize) -> Vec<Probe> {
    let junk: Vec<Method> = ["FOO", "PROPFIND", "PURGE", "X-JUNK", "get", "BREW"]
        .iter()
        .map(|m| Method::from_bytes(m.as_bytes()).expect("a token"))
        .collect();
    let standard = [
        Method::GET,
        Method::POST,
        Method::DELETE,
        Method::PUT,
        Method::PATCH,
        Method::OPTIONS,
        Method::HEAD,
    ];
    let paths = [
        "/api/jobs".to_string(),
        "/api/jobs?limit=5".to_string(),
        format!("/api/jobs/{real_job}"),
        format!("/api/jobs/{real_job}/cancel"),
        format!("/api/jobs/{real_job}/result"),
        format!("/api/jobs?replaces={real_job}"),
        "/api/jobs/00000000-0000-4000-8000-000000000000/cancel".to_string(),
        "/api/info".to_string(),
        "/api/openapi.json".to_string(),
        "/healthz".to_string(),
        "/readyz".to_string(),
        "/metrics".to_string(),
        "/".to_string(),
    ];
    let long_token = format!("Bearer {}", "A".repeat(8_000));
    let authorizations = [
        None,
        Some(format!("Bearer {KEY}")),
        Some(format!("bearer {KEY}")),
        Some("Bearer wrong-key-0123456789".to_string()),
        Some("Basic dXNlcjpwYXNz".to_string()),
        Some("Bearer".to_string()),
        Some(long_token),
    ];
    let hosts = [
        None,
        None,
        Some("evil.example"),
        Some("127.0.0.1"),
        Some("localhost:1"),
    ];
    let content_types = [
        Some("application/json"),
        Some("application/json; charset=utf-8"),
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ];
    let bodies = [
        small_params(7).to_string().into_bytes(),
        b"{}".to_vec(),
        b"width=3".to_vec(),
        Vec::new(),
    ];
    (0..count)
        .map(|_| Probe {
            method: if rng.one_in(4) {
                rng.pick(&junk).clone()
            } else {
                rng.pick(&standard).clone()
            },
            path: rng.pick(&paths).clone(),
            authorization: rng.pick(&authorizations).clone(),
            host: *rng.pick(&hosts),
            content_type: *rng.pick(&content_types),
            body: rng.pick(&bodies).clone(),
        })
        .collect()
}

#[tokio::test]
async fn junk_methods_forged_keys_and_foreign_hosts_never_get_a_5xx() {
    let server = Server::start(&[
        "--no-workers",
        "--queue-capacity",
        "1000000",
        "--rate-limit",
        "0",
        "--api-keys",
        &format!("fuzz:{KEY}"),
        "--allowed-hosts",
        "127.0.0.1",
    ]);
    let resp = server
        .client
        .post(server.url("/api/jobs"))
        .bearer_auth(KEY)
        .json(&small_params(1))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let job: serde_json::Value = resp.json().await.unwrap();
    let real_job = job["id"].as_str().unwrap().to_string();

    let mut rng = Rng(0xF0F0_1234_5678_9ABC);
    let probes = generate(&mut rng, &real_job, 3_000);
    let outcomes: Vec<(String, u16)> = futures::stream::iter(probes)
        .map(|probe| {
            let server = &server;
            async move {
                let mut request = server
                    .client
                    .request(probe.method.clone(), server.url(&probe.path))
                    .body(probe.body.clone());
                if let Some(auth) = &probe.authorization {
                    request = request.header("authorization", auth);
                }
                if let Some(host) = probe.host {
                    request = request.header("host", host);
                }
                if let Some(ct) = probe.content_type {
                    request = request.header("content-type", ct);
                }
                let what = format!(
                    "{} {} auth={:?} host={:?} type={:?}",
                    probe.method,
                    probe.path,
                    probe
                        .authorization
                        .as_deref()
                        .map(|a| &a[..a.len().min(20)]),
                    probe.host,
                    probe.content_type
                );
                let status = match request.send().await {
                    Ok(resp) => resp.status().as_u16(),
                    Err(err) => panic!("no answer to {what}: {err}"),
                };
                let foreign = probe.host.is_some_and(|h| !h.starts_with("127.0.0.1"));
                // Probes and the scrape are answered whatever the Host (load balancers use addresses).
                let probe_route =
                    matches!(probe.path.as_str(), "/healthz" | "/readyz" | "/metrics");
                // A foreign Host never gets an answer it can use (DNS rebinding): 421, or the
                // 401/405 that routing and the key check may give first.
                if foreign && !probe_route {
                    assert!(status >= 400, "{what}: {status}");
                }
                let valid_key = probe.authorization.as_deref() == Some(&format!("Bearer {KEY}"))
                    || probe.authorization.as_deref() == Some(&format!("bearer {KEY}"));
                if !foreign
                    && probe.method == Method::POST
                    && probe.path == "/api/jobs"
                    && !valid_key
                {
                    assert_eq!(status, 401, "{what}");
                }
                (what, status)
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;

    let server_errors: Vec<_> = outcomes.iter().filter(|(_, s)| *s >= 500).collect();
    assert!(server_errors.is_empty(), "5xx answers: {server_errors:?}");
    assert!(outcomes.iter().any(|(_, s)| *s == 421));
    assert!(outcomes.iter().any(|(_, s)| *s == 401));

    let metrics = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for junk in ["FOO", "PROPFIND", "PURGE", "X-JUNK", "BREW", "get"] {
        assert!(
            !metrics.contains(&format!("method=\"{junk}")),
            "{junk} became a series"
        );
    }
    let (status, _) = server.get_json("/healthz").await;
    assert_eq!(status, 200);
    assert!(
        !server.log_text().contains("panicked"),
        "the server log shows a panic"
    );
}
