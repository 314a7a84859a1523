//! The database password never reaches a terminal or a log: `--help` hides the value of
//! `JULIA_DATABASE_URL`, and errors naming a database URL show it redacted.

use std::process::{Command, Output};

const SECRET: &str = "hunter2-s3cret";

fn run(args: &[&str], env_url: Option<&str>) -> (Output, String) {
    let temp = tempfile::tempdir().unwrap();
    let mut command = Command::new(julia_tests::server_binary());
    command
        .args(args)
        .env_remove("JULIA_DATABASE_URL")
        .env("JULIA_DATA_DIR", temp.path())
        .env("JULIA_ADDR", "127.0.0.1:0");
    if let Some(url) = env_url {
        command.env("JULIA_DATABASE_URL", url);
    }
    let output = command.output().expect("run julia-server");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, text)
}

#[test]
fn help_does_not_print_the_database_url_from_the_environment() {
    let url = format!("postgres://julia:{SECRET}@db.example/jobs");
    for command in ["serve", "worker"] {
        let (output, text) = run(&[command, "--help"], Some(&url));
        assert!(output.status.success(), "{text}");
        assert!(text.contains("JULIA_DATABASE_URL"), "{text}");
        assert!(
            !text.contains(SECRET),
            "`{command} --help` printed the password:\n{text}"
        );
    }
}

#[test]
fn errors_about_a_database_url_redact_its_password() {
    let url = format!("mysql://julia:{SECRET}@db.example/jobs");
    for command in ["serve", "worker"] {
        let (output, text) = run(&[command, "--database-url", &url], None);
        assert!(!output.status.success(), "{text}");
        assert!(text.contains("julia:***@db.example"), "{text}");
        assert!(
            !text.contains(SECRET),
            "`{command}` printed the password:\n{text}"
        );
    }
}
