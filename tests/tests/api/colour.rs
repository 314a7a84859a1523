//! Colour without re-rendering through the job API: a job that differs from a finished one only in
//! palette, colour mapping or offset is coloured from the stored escape data (no sample iterated,
//! the very bytes a fresh render gives), the escape data is served as npy, and thumbnails are
//! small PNGs made once and cached by the job's hash.
//!
//! Build the binary first: `cargo build -p julia-server`.

use std::io::Read;
use std::time::Duration;

use julia_tests::Server;
use render_core::encode::EscapesReader;
use render_core::{CpuSource, Flow, RenderParams, StopFlag, render_to_outputs};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(60);

fn view() -> Value {
    json!({"width": 96, "height": 64, "c": {"re": -0.8, "im": 0.156}, "max_iter": 300,
           "palette": "viridis"})
}

/// The PNG and the escape data render-core makes for `params` on the CPU here.
fn local_render(params: &Value) -> (Vec<u8>, Vec<u8>) {
    let params: RenderParams = serde_json::from_value(params.clone()).expect("params");
    let (mut png, mut escapes) = (Vec::new(), Vec::new());
    render_to_outputs(
        &params,
        &mut CpuSource::new(),
        &mut png,
        Some(&mut escapes),
        &StopFlag::new(),
        &mut |_| Flow::Continue,
    )
    .expect("local render");
    (png, escapes)
}

async fn metric(server: &Server, name: &str) -> f64 {
    let text = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .find_map(|line| {
            line.strip_prefix(name)?
                .strip_prefix(' ')?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

async fn finished(server: &Server, params: &Value) -> Value {
    let (status, job) = server.submit(params).await;
    assert!(status == 202 || status == 200, "{status}: {job}");
    let done = server
        .wait_finished(job["id"].as_str().unwrap(), WAIT)
        .await;
    assert_eq!(done["status"], "done", "{done}");
    done
}

#[tokio::test(flavor = "multi_thread")]
async fn a_colour_change_is_coloured_from_the_stored_escape_data_without_a_render() {
    let server = Server::start(&["--cpu-only"]);
    let first = finished(&server, &view()).await;
    assert_eq!(first["backend"], "cpu");
    let rendered = metric(&server, "julia_rendered_samples_total").await;
    assert_eq!(
        rendered,
        96.0 * 64.0,
        "the first job iterated every sample once"
    );

    for (n, (palette, mapping, offset)) in [
        ("magma", "histogram", 0.0),
        ("twilight", "cyclic", 0.25),
        ("viridis", "linear", 0.0),
    ]
    .into_iter()
    .enumerate()
    {
        let mut params = view();
        params["palette"] = palette.into();
        params["colour_mapping"] = mapping.into();
        params["colour_offset"] = offset.into();
        let job = finished(&server, &params).await;
        assert_eq!(job["backend"], "recolour", "{job}");
        assert_ne!(job["hash"], first["hash"]);
        assert_eq!(job["params"]["colour_mapping"], mapping);
        let png = server.result_bytes(job["id"].as_str().unwrap()).await;
        assert!(
            png == local_render(&params).0,
            "{mapping}: not the bytes a fresh render gives"
        );
        assert_eq!(
            metric(&server, "julia_rendered_samples_total").await,
            rendered,
            "recolouring iterated samples"
        );
        assert_eq!(
            metric(&server, "julia_recoloured_jobs_total").await,
            (n + 1) as f64
        );

        // Equal colourings are one job, as every other job is.
        let (status, again) = server.submit(&params).await;
        assert_eq!((status, &again["id"]), (200, &job["id"]), "{again}");
    }

    // A change of view is a new render, not a recolouring.
    let mut zoomed = view();
    zoomed["view_width"] = 1.5.into();
    zoomed["palette"] = "magma".into();
    let job = finished(&server, &zoomed).await;
    assert_eq!(job["backend"], "cpu");
    assert_eq!(
        metric(&server, "julia_rendered_samples_total").await,
        2.0 * rendered
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn escape_data_is_served_as_npy_plain_or_gzip_encoded() {
    let server = Server::start(&["--cpu-only"]);
    let job = finished(&server, &view()).await;
    let url = server.url(&format!(
        "/api/jobs/{}/escapes",
        job["id"].as_str().unwrap()
    ));
    let expected = local_render(&view()).1;

    let plain = server.client.get(&url).send().await.unwrap();
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    let etag = plain.headers()["etag"].to_str().unwrap().to_string();
    assert!(
        plain.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let body = plain.bytes().await.unwrap().to_vec();
    assert_eq!(EscapesReader::new(&body[..]).unwrap().shape(), (64, 96));
    assert!(
        body == expected,
        "the served escape data is not the render's"
    );

    let gzipped = server
        .client
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let compressed = gzipped.bytes().await.unwrap();
    assert!(compressed.len() < expected.len());
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut inflated)
        .unwrap();
    assert!(inflated == expected);

    let cached = server
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), 304);

    // A recoloured job serves the same data: it is the same view.
    let mut recoloured = view();
    recoloured["palette"] = "ocean".into();
    let other = finished(&server, &recoloured).await;
    let (status, _) = server
        .get_json(&format!(
            "/api/jobs/{}/escapes",
            other["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200);
    let (status, body) = server
        .get_json("/api/jobs/00000000-0000-4000-8000-000000000000/escapes")
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn thumbnails_are_small_pngs_made_once_and_cached_by_hash() {
    let server = Server::start(&["--cpu-only"]);
    let mut wide = view();
    wide["width"] = 600.into();
    wide["height"] = 300.into();
    let job = finished(&server, &wide).await;
    let hash = job["hash"].as_str().unwrap();
    let url = server.url(&format!(
        "/api/jobs/{}/thumbnail",
        job["id"].as_str().unwrap()
    ));

    let first = server.client.get(&url).send().await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "image/png");
    assert!(
        first.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let bytes = first.bytes().await.unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(&bytes[..]));
    let info = decoder.read_info().expect("a png").info().clone();
    assert_eq!((info.width, info.height), (256, 128));

    let cached = server
        .data_dir
        .join("results")
        .join(format!("{hash}.thumb.png"));
    assert_eq!(
        std::fs::read(&cached).expect("kept on disk by hash"),
        bytes.to_vec()
    );
    // Served from the kept file from now on: its bytes, whatever they are.
    std::fs::write(&cached, b"kept").unwrap();
    let second = server.client.get(&url).send().await.unwrap();
    assert_eq!(&second.bytes().await.unwrap()[..], b"kept");

    let not_modified = server
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);

    let mut npy = view();
    npy["format"] = "npy".into();
    let counts = finished(&server, &npy).await;
    let (status, body) = server
        .get_json(&format!(
            "/api/jobs/{}/thumbnail",
            counts["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("no_thumbnail"))
    );
}
