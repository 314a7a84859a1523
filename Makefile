# The README's two commands are `make run` and `make test`; both install what is missing first.
SHELL := /bin/bash
CARGO ?= cargo
TARGET_DIR := $(shell $(CARGO) metadata --format-version 1 --no-deps 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])' 2>/dev/null || echo target)
ADDR ?= 127.0.0.1:8080
DATA_DIR ?= data

.PHONY: run test setup ui lint bench wasm-check soak

setup:
	@scripts/setup.sh

# Builds the web UI into dist/ (offline; tools pinned in Trunk.toml).
ui: setup
	trunk build --release

# Sets up everything, builds the UI and the release server, and starts it on the embedded defaults
# (SQLite in ./data, GPU if there is one, CPU otherwise).
run: ui
	$(CARGO) build --release -p julia-server
	$(TARGET_DIR)/release/julia-server serve --addr $(ADDR) --data-dir $(DATA_DIR) --ui-dir dist

# render-core must build for the browser.
wasm-check:
	$(CARGO) build -p render-core --target wasm32-unknown-unknown

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --all-targets --workspace -- -D warnings
	$(CARGO) clippy -p web-ui -p render-core --target wasm32-unknown-unknown -- -D warnings
	$(CARGO) machete

# Sets up everything and runs every test: unit, GPU (lavapipe), end-to-end over HTTP, PostgreSQL,
# the UI in headless Chromium, and web-ui's own unit tests on the host (`--workspace`: the default
# members leave web-ui out). One build profile (dev, optimised) serves all of them. No separate
# `cargo build -p julia-server`: it would resolve features apart from `--workspace` and build shared
# dependencies twice; the test build makes the binary anyway (the server has integration tests).
test: ui wasm-check lint
	$(CARGO) test --workspace --no-fail-fast

bench: ui
	$(CARGO) build --release -p julia-server -p julia-bench
	$(TARGET_DIR)/release/julia-bench --out docs/BENCHMARKS.md

# Load plus kill -9 chaos against the real server (SQLite) and workers (PostgreSQL), loopback
# only, bounded in time; the figures go into docs/RELIABILITY.md. SOAK_SECONDS per mode.
SOAK_SECONDS ?= 180
soak:
	@scripts/setup.sh --no-ui --no-browser
	$(CARGO) build -p julia-server -p julia-tests --bins
	$(TARGET_DIR)/debug/julia-soak --seconds $(SOAK_SECONDS) --out docs/RELIABILITY.md
