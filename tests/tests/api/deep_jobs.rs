//! Deep zoom through the job API (issue 13): a view 1e-1000 wide, with its centre as a decimal
//! string of 1040 digits, is accepted, rendered by perturbation and reported as `deep`; the
//! decimals come back in full and deduplicate like numbers do.
//!
//! Build the binary first: `cargo build -p julia-server`.

use std::time::Duration;

use julia_tests::{Server, small_params};
use serde_json::Value;

const DEEP_EXAMPLE: &str = include_str!("../../../docs/examples/deep.json");

fn deep_example(width: u32, height: u32) -> Value {
    let mut doc: Value = serde_json::from_str(DEEP_EXAMPLE).expect("example is JSON");
    doc["width"] = width.into();
    doc["height"] = height.into();
    doc
}

#[tokio::test(flavor = "multi_thread")]
async fn a_view_1e_1000_wide_renders_by_perturbation_and_says_so() {
    let server = Server::start(&["--cpu-only"]);
    let params = deep_example(64, 48);
    let (status, job) = server.submit(&params).await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(job["precision_used"], "deep", "{job}");
    let centre = params["center"]["re"].as_str().expect("a string");
    let echoed = job["params"]["center"]["re"]
        .as_str()
        .expect("echoed as a string");
    // Canonical form: every significant digit, the point after the first, the power of ten.
    let digits = centre.trim_start_matches("0.0").trim_end_matches('0');
    assert_eq!(echoed, format!("{}.{}e-2", &digits[..1], &digits[1..]));
    assert_eq!(job["params"]["view_width"], "1e-1000");

    let id = job["id"].as_str().expect("id").to_string();
    let done = server.wait_finished(&id, Duration::from_secs(120)).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["backend"], "cpu");
    let png = server.result_bytes(&id).await;
    assert!(png.starts_with(b"\x89PNG"));

    // The same place written differently (exponent form, trailing zeros) is the same job.
    let mut again = params.clone();
    again["view_width"] = "10e-1001".into();
    again["center"]["im"] = format!("{}000", params["center"]["im"].as_str().unwrap()).into();
    let (status, dup) = server.submit(&again).await;
    assert_eq!(status, 200, "{dup}");
    assert_eq!(dup["deduplicated"], true);
    assert_eq!(dup["id"], job["id"]);

    let (_, shallow) = server.submit(&small_params(1)).await;
    assert_ne!(shallow["precision_used"], "deep", "{shallow}");
}
