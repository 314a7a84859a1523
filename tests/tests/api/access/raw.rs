//! Requests written by hand over TCP, for what an HTTP client library will not send (a foreign
//! `Host`, a junk method).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `host:port` of a server base URL.
pub fn authority(base: &str) -> &str {
    base.strip_prefix("http://").unwrap_or(base)
}

/// Sends `request` (a whole HTTP/1.1 request, `Connection: close`) and returns the answer's
/// status and its full text.
pub async fn exchange(base: &str, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(authority(base)).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer))
        .await
        .expect("an answer within 30 s")
        .expect("read");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text:?}"));
    (status, text)
}
