//! The UI's security headers: a CSP allowing exactly the page's inline start-up script (by
//! hash) and WebAssembly, no framing, `nosniff`, no referrer. (The ui_* tests run the real app
//! in Chromium under this policy.)

use julia_tests::Server;

#[tokio::test]
async fn the_ui_is_served_with_a_csp_naming_its_inline_script() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<html><head><script type=\"module\">import init from '/app-0123456789abcdef.js';\
         await init();</script></head><body></body></html>",
    )
    .unwrap();
    let server = Server::start(&["--no-workers", "--ui-dir", dir.path().to_str().unwrap()]);
    for path in ["/", "/some/client/route"] {
        let resp = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        let headers = resp.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{csp}"
        );
        assert_eq!(csp.matches("'sha256-").count(), 1, "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let script_src = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!script_src.contains("'unsafe-inline'"), "{csp}");
        assert!(!script_src.contains("'unsafe-eval'"), "{csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["x-frame-options"], "DENY");
    }
}
