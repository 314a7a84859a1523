#!/usr/bin/env bash
# Tries each attack of the hardening review against a real julia-server binary with curl, as a
# new user would, and prints what the service answered. Loopback only; every step is bounded.
# Usage: scripts/try-attacks.sh [path/to/julia-server]   (default: the release build)
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:-$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/julia-server}
[ -x "$bin" ] || { echo "no binary at $bin (cargo build --release -p julia-server)"; exit 2; }
work=$(mktemp -d /tmp/julia-attacks.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
pid=""
failures=0

say() { printf '\n== %s\n' "$*"; }
check() { # check DESCRIPTION ACTUAL EXPECTED
  if [ "$2" = "$3" ]; then echo "   ok: $1 ($2)"; else echo "   FAILED: $1: got $2, wanted $3"; failures=$((failures + 1)); fi
}
start() { # start [extra serve flags...]
  "$bin" serve --addr "127.0.0.1:$port" --data-dir "$work/data" --cpu-only --ui-dir "$work/ui" "$@" \
    >>"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do curl -sf "$base/healthz" >/dev/null && return 0; sleep 0.05; done
  echo "server did not start:"; tail -5 "$work/server.log"; exit 1
}
stop_hard() { kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
post() { curl -s -o "$work/body" -w '%{http_code}' -X POST "$base/api/jobs" -H 'content-type: application/json' "$@"; }
field() { python3 -c "import json,sys; d=json.load(open('$work/body')); print($1)"; }
job_status() { curl -s "$base/api/jobs/$1" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["status"], (j.get("error") or {}).get("code",""))'; }
wait_status() { # wait_status ID WANTED SECONDS
  for _ in $(seq 1 $(($3 * 20))); do s=$(job_status "$1"); [ "${s%% *}" = "$2" ] && { echo "$s"; return; }; sleep 0.05; done
  job_status "$1"
}
mkdir -p "$work/ui"
echo '<!doctype html><title>ui</title><script>console.log(1)</script>' >"$work/ui/index.html"
trap 'stop_hard; rm -rf "$work"' EXIT
echo "binary: $bin"

say "1. A 268435456x1 supersampled image (tens of GiB per band before)"
start
code=$(post -d '{"width": 268435456, "height": 1, "supersample": 4}')
check "refused" "$code" 422
echo "   $(field 'd["error"]["field"], d["error"]["message"]')"
check "still up" "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")" 200

say "2. 16384^2 x 16 samples x 1e6 iterations (4e15 escape-iterations) and escape_radius 1e200"
code=$(post -d '{"width": 16384, "height": 16384, "supersample": 4, "max_iter": 1000000}')
check "work over the budget refused" "$code" 422
echo "   $(field 'd["error"]["field"], d["error"]["message"]')"
code=$(post -d '{"width": 16384, "height": 16384, "supersample": 4, "max_iter": 20000, "format": "png"}')
check "a 16384^2 supersampled final-quality render admitted" "$code" 202
curl -s -o /dev/null -X POST "$base/api/jobs/$(field 'd["id"]')/cancel"
code=$(post -d '{"escape_radius": 1e200}')
check "escape_radius 1e200 refused" "$code" 422

say "3. Cancel inside a band: a single-band render at max_iter 1e6, canceled while it runs"
code=$(post -d '{"width": 512, "height": 8, "c": {"re": -0.12, "im": 0.75}, "view_width": 0.01, "max_iter": 1000000, "format": "npy"}')
heavy=$(field 'd["id"]')
wait_status "$heavy" running 10 >/dev/null
t0=$(date +%s.%N)
check "cancel answered" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/jobs/$heavy/cancel")" 200
post -d '{"width": 64, "height": 64, "max_iter": 100}' >/dev/null
next=$(field 'd["id"]')
check "the worker took the next job" "$(wait_status "$next" done 30)" "done "
echo "   next job done $(python3 -c "import time; print(round(time.time()-$t0, 2))") s after the cancel"
stop_hard

say "4. Job time limit (--job-timeout 2)"
start --job-timeout 2
post -d '{"width": 512, "height": 64, "c": {"re": -0.12, "im": 0.75}, "view_width": 0.01, "max_iter": 1000000, "format": "npy"}' >/dev/null
slow=$(field 'd["id"]')
check "failed with its own code" "$(wait_status "$slow" failed 30)" "failed timeout"
stop_hard

say "5. A job that kills its process is not retried for ever (--max-attempts 3)"
start
post -d '{"width": 1024, "height": 1024, "c": {"re": -0.12, "im": 0.75}, "view_width": 0.3, "max_iter": 200000, "format": "npy"}' >/dev/null
doomed=$(field 'd["id"]')
for round in 1 2 3; do
  wait_status "$doomed" running 20 >/dev/null
  stop_hard
  echo "   kill -9 number $round while it was running"
  start
done
check "failed after 3 attempts" "$(wait_status "$doomed" failed 10)" "failed too_many_attempts"
check "the service still renders" "$(post -d '{"width": 32, "height": 32}')" 202
stop_hard

say "6. 300 slow clients that never finish their headers (--header-timeout-secs 3)"
start --header-timeout-secs 3
python3 - "$port" <<'EOF'
import socket, sys, time, urllib.request
port = int(sys.argv[1])
conns = []
for _ in range(300):
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"GET /api/info HTTP/1.1\r\nHost: x\r\nX-Slow: "); conns.append(s)
t = time.time(); urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
print(f"   /healthz answered in {(time.time()-t)*1000:.1f} ms with 300 slow clients connected")
deadline = time.time() + 15; closed = 0
for s in conns:
    s.settimeout(max(0.1, deadline - time.time()))
    try:
        s.recv(1024)  # the server's 408 or its close: either way it let go
        closed += 1
    except OSError:
        pass
print(f"   {closed} of 300 slow connections closed by the server within {15 - max(0, deadline - time.time()):.1f} s")
EOF
check "still answering" "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")" 200

say "7. Junk methods as metric labels"
for m in FOO BAR BAZ; do curl -s -o /dev/null -X "$m" "$base/api/jobs"; done
check "junk methods are one _OTHER series" "$(curl -s "$base/metrics" | grep -c 'method="\(FOO\|BAR\|BAZ\)"')" 0
curl -s "$base/metrics" | grep 'method="_OTHER"' | head -2 | sed 's/^/   /'

say "8. A text/plain form from another web page"
check "text/plain refused" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/jobs" -H 'content-type: text/plain' -d '{"width": 8}')" 415
stop_hard

say "9. API keys, ownership, DNS rebinding (--api-keys alice:…,bob:… --allowed-hosts 127.0.0.1)"
alice=alice-key-0123456789abcdef; bob=bob-key-0123456789abcdef0
start --api-keys "alice:$alice,bob:$bob" --allowed-hosts 127.0.0.1
check "no key" "$(post -d '{"width": 16}')" 401
check "Alice submits" "$(post -H "authorization: Bearer $alice" -d '{"width": 16, "max_iter": 5}')" 202
own=$(field 'd["id"]')
check "Bob cannot cancel it" "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "authorization: Bearer $bob" "$base/api/jobs/$own/cancel")" 403
check "Bob cannot delete it" "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "authorization: Bearer $bob" "$base/api/jobs/$own")" 403
check "a rebinding Host" "$(curl -s -o /dev/null -w '%{http_code}' -H 'host: evil.example' "$base/api/jobs")" 421
limited=$(seq 1 400 | xargs -P 16 -I{} curl -s -o /dev/null -w '%{http_code}\n' -X POST "$base/api/jobs" \
  -H 'content-type: application/json' -H "authorization: Bearer $bob" -d '{"width": 8, "max_iter": {}}' | grep -c 429)
check "Bob over the rate limit (400 writes at once, burst 200)" "$([ "$limited" -gt 0 ] && echo limited)" limited
echo "   $limited of 400 answered 429"
echo "   Retry-After: $(curl -s -D - -o /dev/null -X POST "$base/api/jobs" -H 'content-type: application/json' -H "authorization: Bearer $bob" -d '{"width": 10}' | grep -i retry-after | tr -d '\r')"
check "Alice is not limited by Bob" "$(post -H "authorization: Bearer $alice" -d '{"width": 17, "max_iter": 5}')" 202

say "10. UI security headers"
curl -s -D - -o /dev/null "$base/" | grep -iE 'content-security-policy|x-content-type-options|x-frame-options' | sed 's/^/   /'

say "11. A second server on the same data directory"
"$bin" serve --addr 127.0.0.1:0 --data-dir "$work/data" --cpu-only >"$work/second.log" 2>&1
check "refused to start" "$?" 1
sed 's/^/   /' "$work/second.log" | tail -1
stop_hard

say "12. The database password in --help and in errors"
JULIA_DATABASE_URL='postgres://julia:s3cret@db.example/jobs' "$bin" serve --help | grep -c s3cret | sed 's/^/   lines of --help showing the password: /'
"$bin" serve --data-dir "$work/d2" --database-url 'mysql://julia:s3cret@db/jobs' 2>&1 | tail -1 | sed 's/^/   /'

say "13. Retention (--retention 2s): finished jobs are pruned"
start --retention 2s
post -d '{"width": 8, "height": 8}' >/dev/null
gone=$(field 'd["id"]')
wait_status "$gone" done 10 >/dev/null
sleep 4
check "pruned" "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/jobs/$gone")" 404
stop_hard

echo
echo "$failures failed checks"
[ "$failures" = 0 ]
