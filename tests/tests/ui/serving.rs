//! The server serves the built UI like a real static host: right MIME types (wasm included),
//! gzip, hashed assets cached for a year, `index.html` revalidated, client routes fall back to
//! `index.html`, and API paths never do.

use julia_tests::Server;

fn dist() -> String {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist");
    assert!(
        dist.join("index.html").is_file(),
        "the web UI is not built: run `make ui` first"
    );
    dist.to_string_lossy().into_owned()
}

#[tokio::test]
async fn ui_assets_have_mime_types_compression_and_cache_policies() {
    let server = Server::start(&["--cpu-only", "--ui-dir", &dist()]);
    let index = server
        .client
        .get(server.url("/"))
        .send()
        .await
        .expect("GET /");
    assert_eq!(index.status(), 200);
    assert_eq!(index.headers()["cache-control"], "no-cache");
    assert!(
        index.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = index.text().await.expect("index body");
    let wasm = html
        .split(['"', '\''])
        .find(|s| s.ends_with(".wasm"))
        .expect("index.html names the wasm module")
        .to_string();

    let response = server
        .client
        .get(server.url(&wasm))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("GET wasm");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/wasm");
    assert_eq!(response.headers()["content-encoding"], "gzip");
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    let route = server
        .client
        .get(server.url("/some/client/route"))
        .send()
        .await
        .expect("route");
    assert_eq!(route.status(), 200);
    assert!(route.text().await.unwrap().contains("<html"));
    let api = server
        .client
        .get(server.url("/api/nope"))
        .send()
        .await
        .expect("api 404");
    assert_eq!(api.status(), 404);
    assert!(
        api.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}
