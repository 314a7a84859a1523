//! Connection limits against the real binary: hundreds of clients that never finish their
//! headers neither block `/healthz` nor stay connected past the header timeout; event streams
//! beyond `--max-sse` get `503`; requests beyond `--max-requests` are shed while probes still
//! answer, and a request whose body never arrives is ended with `408`.

use std::time::{Duration, Instant};

use futures::future::join_all;
use julia_tests::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const STALLED: usize = 300;

fn authority(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// Waits until the server closes `stream` (end of file or reset); the bytes it sent before.
async fn closed_by_server(mut stream: TcpStream, deadline: Instant) -> Result<Vec<u8>, String> {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_) => return Err("still open at the deadline".to_string()),
            Ok(Ok(0)) | Ok(Err(_)) => return Ok(seen),
            Ok(Ok(n)) => seen.extend_from_slice(&buffer[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stalled_clients_do_not_block_healthz_and_are_dropped_after_the_header_timeout() {
    let server = Server::start(&["--no-workers", "--header-timeout-secs", "3"]);
    let addr = authority(&server);
    let mut stalled = Vec::with_capacity(STALLED);
    for _ in 0..STALLED {
        let mut stream = TcpStream::connect(&addr).await.expect("connect");
        stream.write_all(b"GET /api/jobs HT").await.expect("send");
        stalled.push(stream);
    }
    // Every stalled client is still connected (the server has not answered any), yet the
    // service answers at once on a fresh connection.
    for _ in 0..5 {
        let resp = server
            .client
            .get(server.url("/healthz"))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .expect("/healthz answers while clients stall");
        assert_eq!(resp.status(), 200);
    }
    // 3 s of header timeout plus a generous margin for a loaded machine.
    let deadline = Instant::now() + Duration::from_secs(30);
    let outcomes = join_all(stalled.into_iter().map(|s| closed_by_server(s, deadline))).await;
    let still_open = outcomes.iter().filter(|o| o.is_err()).count();
    assert_eq!(
        still_open, 0,
        "of {STALLED} stalled connections, {still_open} were kept"
    );
    // On a fresh connection: the keep-alive one above idled past the same header timeout, so
    // the server may be closing it just as a pooled client would reuse it.
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let resp = fresh
        .get(server.url("/healthz"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("/healthz answers after the stalled clients are gone");
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn event_streams_beyond_the_cap_get_503_and_a_closed_one_frees_its_slot() {
    let server = Server::start(&["--no-workers", "--max-sse", "2"]);
    let open = || server.client.get(server.url("/api/events")).send();
    let first = open().await.unwrap();
    let second = open().await.unwrap();
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let refused = open().await.unwrap();
    assert_eq!(refused.status(), 503);
    let retry_after: u32 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_streams");

    drop(first);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let again = open().await.unwrap();
        if again.status() == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the closed stream's slot never freed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(second);
}

#[tokio::test]
async fn requests_beyond_the_limit_are_shed_and_a_stalled_body_times_out_with_408() {
    let server = Server::start(&[
        "--no-workers",
        "--max-requests",
        "1",
        "--request-timeout-secs",
        "3",
    ]);
    // Headers complete, body never sent: the request holds the only slot until it times out.
    let mut slow = TcpStream::connect(authority(&server)).await.unwrap();
    let head = format!(
        "POST /api/jobs HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{",
        authority(&server)
    );
    slow.write_all(head.as_bytes()).await.unwrap();

    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let resp = server
            .client
            .get(server.url("/api/info"))
            .send()
            .await
            .unwrap();
        if resp.status() == 503 {
            assert!(resp.headers().contains_key("retry-after"));
            let body: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(body["error"]["code"], "overloaded");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the limit of 1 request never shed one"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, _) = server.get_json("/healthz").await;
    assert_eq!(status, 200, "probes are never shed");

    let answer = closed_or_answered(&mut slow).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    let (status, _) = server.get_json("/api/info").await;
    assert_eq!(status, 200, "the slot is free again");
}

/// Reads what the server sends until it closes or has sent a whole small answer.
async fn closed_or_answered(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(30);
    while !String::from_utf8_lossy(&seen).contains("}}") {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buffer[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}
