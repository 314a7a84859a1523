//! `julia-server render --server URL`: the CLI as a client of a running server. The file it
//! downloads equals a local render of the same parameters; the server's refusals and an
//! unreachable server are one line on stderr with the CLI's exit codes.

use std::path::Path;
use std::process::{Command, Output};

use julia_tests::{Server, server_binary};

const PARAMS: &[&str] = &[
    "--width",
    "96",
    "--height",
    "64",
    "--c-re",
    "-0.7",
    "--c-im",
    "0.27015",
    "--max-iter",
    "300",
];

fn render(dir: &Path, args: &[&str]) -> Output {
    Command::new(server_binary())
        .current_dir(dir)
        .arg("render")
        .args(args)
        .env_remove("JULIA_API_KEY")
        .output()
        .expect("run julia-server render")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_remote_render_downloads_the_same_file_as_a_local_render() {
    let server = Server::start(&["--cpu-only"]);
    let dir = tempfile::tempdir().unwrap();
    for output in ["remote.npy", "remote.png"] {
        let mut args = PARAMS.to_vec();
        args.extend(["--server", &server.base, "--output", output]);
        let out = render(dir.path(), &args);
        assert!(out.status.success(), "{output}: {}", stderr(&out));
        let summary = String::from_utf8_lossy(&out.stdout);
        assert!(summary.contains(&server.base), "{summary}");
    }
    for output in ["local.npy", "local.png"] {
        let mut args = PARAMS.to_vec();
        args.extend(["--backend", "cpu", "--output", output]);
        let out = render(dir.path(), &args);
        assert!(out.status.success(), "{output}: {}", stderr(&out));
    }
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    assert_eq!(read("remote.npy"), read("local.npy"));
    assert_eq!(read("remote.png"), read("local.png"));

    // The same parameters again: the server's existing job, downloaded again.
    let mut args = PARAMS.to_vec();
    args.extend(["--server", &server.base, "--output", "again.npy"]);
    let out = render(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("an existing job"));
    assert_eq!(read("again.npy"), read("local.npy"));
}

#[test]
fn the_servers_refusal_names_the_field_and_exits_2() {
    let server = Server::start(&["--no-workers", "--max-pixels", "1000"]);
    let dir = tempfile::tempdir().unwrap();
    // Valid by the CLI's default limits, refused by this server's.
    let out = render(
        dir.path(),
        &[
            "--width",
            "100",
            "--height",
            "100",
            "--server",
            &server.base,
            "--output",
            "x.png",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("invalid `width`"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn an_unreachable_server_exits_1_and_a_non_http_url_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let out = render(dir.path(), &["--server", &url, "--output", "x.png"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot reach"), "{}", stderr(&out));

    let out = render(
        dir.path(),
        &["--server", "ftp://example", "--output", "x.png"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("invalid `server`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn the_api_key_from_the_environment_is_sent_as_a_bearer_token() {
    use std::io::{BufRead, BufReader, Write};
    // A stand-in server that records the request head and refuses like a keyed server would.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let recorder = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
            head.push(line.trim().to_ascii_lowercase());
        }
        let body = r#"{"error":{"code":"forbidden","message":"wrong key"}}"#;
        write!(
            &stream,
            "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        head
    });
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(server_binary())
        .current_dir(dir.path())
        .args(["render", "--server", &url, "--output", "x.png"])
        .env("JULIA_API_KEY", "s3cret")
        .output()
        .unwrap();
    let head = recorder.join().unwrap();
    assert!(
        head.iter().any(|h| h == "authorization: bearer s3cret"),
        "{head:?}"
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("wrong key"), "{}", stderr(&out));
}
