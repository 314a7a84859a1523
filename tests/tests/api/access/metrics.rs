//! Metric labels stay bounded (a junk method is `_OTHER`), and `--metrics-addr` moves `/metrics`
//! to a listener of its own.

use julia_tests::Server;

use super::raw::{authority, exchange};

#[tokio::test]
async fn a_junk_method_is_labelled_other_in_the_metrics() {
    let server = Server::start(&["--no-workers"]);
    let host = authority(&server.base).to_string();
    let (status, _) = exchange(
        &server.base,
        &format!("BREW /api/no-such-route HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 404);
    let metrics = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("method=\"_OTHER\""), "{metrics}");
    assert!(!metrics.contains("BREW"), "{metrics}");
}

#[tokio::test]
async fn metrics_are_served_on_the_metrics_address_only() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics_addr = format!("127.0.0.1:{port}");
    let server = Server::start(&["--no-workers", "--metrics-addr", &metrics_addr]);
    let resp = server
        .client
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("julia_queue_depth"));
    let resp = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let resp = server
        .client
        .get(format!("http://{metrics_addr}/api/jobs"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        404,
        "the metrics listener serves nothing else"
    );
}
