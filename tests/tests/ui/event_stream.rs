//! The job feed when the server refuses the page's event stream (it already holds as many as it
//! allows): the page asks again every few seconds rather than in a loop, keeps its list current
//! meanwhile, and takes the stream once a slot is free.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::{Browser, Server};

/// Counts the page's `EventSource`s and keeps the last one (the app makes one per attempt).
const COUNT_STREAMS: &str = "
    window.__streams = 0;
    const Original = window.EventSource;
    window.EventSource = function (url, options) {
      window.__streams += 1;
      window.__lastStream = new Original(url, options);
      return window.__lastStream;
    };
    window.EventSource.prototype = Original.prototype;";

/// Holds the server's only event stream slot until dropped.
fn hold_the_stream_slot(server: &Server) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    write!(
        stream,
        "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("send");
    let mut status = String::new();
    BufReader::new(&stream)
        .read_line(&mut status)
        .expect("status line");
    assert!(status.contains(" 200 "), "the slot was not taken: {status}");
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_event_stream_is_asked_for_again_every_few_seconds_not_in_a_loop() {
    let server = Server::start_with(&["--max-sse", "1"]);
    let held = hold_the_stream_slot(&server);
    let browser = Browser::start().await;
    browser.goto(&server.url()).await;
    browser.wait_online().await;
    browser.js(COUNT_STREAMS).await;

    tokio::time::sleep(Duration::from_secs(5)).await;
    let attempts = browser.js("return window.__streams;").await;
    let attempts = attempts.as_u64().expect("a count");
    // The page retries every 2 s: two or three attempts in 5 s. A page that reopens as soon as
    // the refusal arrives makes hundreds.
    assert!(
        attempts <= 5,
        "{attempts} event streams in 5 s while the server refused them"
    );
    assert!(attempts >= 1, "the page never asked for the stream again");

    // The list stays current without the stream: a submitted job is shown done.
    browser
        .js("[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Render').click();")
        .await;
    browser
        .wait_until(
            "document.querySelector('li.job[data-status=done]') !== null",
            Duration::from_secs(60),
            "the job to be shown as done without the stream",
        )
        .await;

    // Once the slot is free (the server notices the closed connection at its next keep-alive),
    // the page's next attempt gets the stream.
    drop(held);
    browser
        .wait_until(
            "window.__lastStream !== undefined && window.__lastStream.readyState === 1",
            Duration::from_secs(60),
            "the page to take the freed stream slot",
        )
        .await;
    browser.close().await;
}
