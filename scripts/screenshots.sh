#!/usr/bin/env bash
# Takes the screenshots in docs/screenshots/: builds the UI and the server, then drives headless
# Chromium (chromedriver on PATH, as for the UI tests) against the real server at 1400x1000 and at
# a phone's 390x844. Usage: scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
trunk build --release
# The whole workspace's test build (as `make test` does): it makes the server binary too, and a
# narrower `-p` build would resolve features apart and rebuild shared dependencies.
cargo test --workspace --no-run
cargo test --workspace --test ui screenshots_for_the_docs -- --ignored --nocapture
ls -l docs/screenshots/
