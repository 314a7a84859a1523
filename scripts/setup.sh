#!/usr/bin/env bash
# Installs whatever this project needs that is missing, and nothing that is present:
#   Debian packages (Vulkan software driver, Chromium + driver, PostgreSQL, ffmpeg), the wasm32 target,
#   trunk, wasm-bindgen-cli at exactly the Cargo.lock version, and wasm-opt (binaryen), the
#   Python virtualenv .venv with the API contract tools and the Python client (clients/), and
#   cargo-machete (`make lint`'s unused-dependency check).
# Idempotent and quick when everything is there. Usage: scripts/setup.sh [--no-ui] [--no-browser]
set -euo pipefail
cd "$(dirname "$0")/.."

want_ui=1
want_browser=1
for arg in "$@"; do
  case "$arg" in
    --no-ui) want_ui=0 ;;
    --no-browser) want_browser=0 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

log() { printf '[setup] %s\n' "$*" >&2; }
export PATH="$HOME/.cargo/bin:$PATH"

# --- Debian packages -------------------------------------------------------------------------
# ffmpeg encodes `julia-server animate`'s videos (docs/DESIGN.md §8).
packages=(mesa-vulkan-drivers libvulkan1 postgresql ffmpeg)
[ "$want_browser" = 1 ] && packages+=(chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PostgreSQL's server binaries live in a versioned directory; tests find them through this.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || { log "PostgreSQL server binaries not found"; exit 1; }

# --- Python: the API contract tools and the Python client --------------------------------------
# A project-local virtualenv (.venv, ignored by git) with the pinned tools of clients/requirements.txt
# and the client installed editable; pip runs only when the pins or the client's pyproject change.
venv=.venv
stamp="$venv/.setup-stamp"
want_stamp=$(cat clients/requirements.txt clients/python/pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want_stamp" ]; then
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    log "installing python3-venv"
    SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  fi
  log "preparing the Python virtualenv $venv (pinned test tools and the Python client)"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r clients/requirements.txt -e ./clients/python
  echo "$want_stamp" > "$stamp"
fi

# --- Lint tools --------------------------------------------------------------------------------
# `make lint` fails on a dependency that no source file uses.
machete_version=0.9.2
if ! cargo machete --version 2>/dev/null | grep -qx "$machete_version"; then
  log "installing cargo-machete $machete_version"
  cargo install --locked --quiet cargo-machete --version "$machete_version"
fi

[ "$want_ui" = 1 ] || exit 0

# --- WASM tool chain --------------------------------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 0.22 needs a newer rustc than these machines have.
trunk_version=0.21.14
if ! trunk --version 2>/dev/null | grep -qx "trunk $trunk_version"; then
  log "installing trunk $trunk_version (a few minutes, once)"
  cargo install --locked --quiet trunk --version "$trunk_version"
fi

# wasm-bindgen's CLI must match the library version in Cargo.lock exactly.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock 2>/dev/null || true)
if [ -n "$bindgen_version" ] && ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $bindgen_version"; then
  log "installing wasm-bindgen-cli $bindgen_version"
  # Not --locked: its lock file pins a crate version the registry no longer serves.
  cargo install --quiet --force wasm-bindgen-cli --version "$bindgen_version"
fi

# Debian's binaryen (108) builds pages that fail at start-up; the npm package ships version 123.
if ! wasm-opt --version 2>/dev/null | grep -q "version 123"; then
  log "installing wasm-opt (binaryen 123) from npm"
  npm install -g --silent binaryen@123.0.0 >/dev/null
fi
