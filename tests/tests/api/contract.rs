//! The API checked by tools no one here wrote, and the Python client tested against the real
//! server: `openapi-spec-validator` on the served document, Schemathesis with every check and its
//! stateful tests (bounded: fixed seed and example count, loopback only), and the Python client's
//! pytest suite (`clients/python/tests`).
//!
//! The tools come from the project's virtualenv `.venv`, which `scripts/setup.sh` (run by
//! `make test`) creates with the pinned versions of `clients/requirements.txt`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use julia_tests::{Server, server_binary};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the repository")
        .to_path_buf()
}

/// A program of the project's virtualenv.
fn venv_tool(name: &str) -> PathBuf {
    let tool = repo_root().join(".venv/bin").join(name);
    assert!(
        tool.is_file(),
        "{} is missing: run scripts/setup.sh (make test does) to create the Python virtualenv",
        tool.display()
    );
    tool
}

fn run(command: &mut Command) -> Output {
    let output = command.output().expect("start the tool");
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[tokio::test]
async fn the_served_openapi_document_passes_openapi_spec_validator() {
    let server = Server::start(&["--no-workers"]);
    let (status, document) = server.get_json("/api/openapi.json").await;
    assert_eq!(status, 200);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openapi.json");
    std::fs::write(&path, document.to_string()).unwrap();
    let output = run(Command::new(venv_tool("openapi-spec-validator")).arg(&path));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("OK"),
        "{output:?}"
    );
}

/// Schemathesis against a CPU-only server on one low-priority thread whose pixel limit is just the
/// default image size (so the schema's defaults stay valid), so the jobs it submits stay small.
/// Every check (`--checks all`), every phase including the stateful one, and zero failures.
#[tokio::test]
async fn schemathesis_finds_no_failure_with_all_checks_and_stateful_tests() {
    // Schemathesis sends hundreds of writes from one address: no per-client rate limit here.
    let server = Server::start(&[
        "--cpu-only",
        "--cpu-threads",
        "1",
        "--max-pixels",
        "786432",
        "--rate-limit",
        "0",
    ]);
    let contract = repo_root().join("tests/contract");
    let report = tempfile::tempdir().unwrap();
    let output = Command::new(venv_tool("schemathesis"))
        .arg("--config-file")
        .arg(contract.join("schemathesis.toml"))
        .arg("run")
        .arg(server.url("/api/openapi.json"))
        .args(["--checks", "all"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args([
            "--seed",
            "20261130",
            "--max-examples",
            "25",
            "--workers",
            "1",
        ])
        .args(["--request-timeout", "10", "--no-color"])
        .arg("--report-dir")
        .arg(report.path())
        .current_dir(report.path())
        .env("PYTHONPATH", &contract)
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .output()
        .expect("start schemathesis");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis failed ({}):\n{stdout}\n{}\nserver log:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        server.log_text()
    );
    assert!(stdout.contains("passed"), "{stdout}");
}

/// The Python client's tests (`clients/python/tests`) against a real CPU-only server; one of
/// them compares a rendered array with the `.npy` that `julia-server render` writes.
#[tokio::test]
async fn the_python_client_tests_pass_against_the_real_server() {
    let server = Server::start(&["--cpu-only", "--cpu-threads", "1"]);
    let cache = tempfile::tempdir().unwrap();
    run(Command::new(venv_tool("python"))
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(repo_root().join("clients/python/tests"))
        .env("JULIA_RENDER_URL", &server.base)
        .env("JULIA_SERVER_BIN", server_binary())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .current_dir(cache.path()));
}
