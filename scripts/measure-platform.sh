#!/usr/bin/env bash
# Measures the platform figures of docs/operations.md: cold build time and
# binary size, time from start to the first /healthz answer, peak memory idle
# and under 50 concurrent clients loading the round page, and that page's
# latency. Run from the repository root; takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
pid=
pw='correct horse battery'
clients=${CLIENTS:-50}
duration=${DURATION:-30s}

echo "== cold build (empty build cache, modules already downloaded)"
start=$(date +%s.%N)
GOCACHE="$work/gocache" go build -o "$work/parley" ./cmd/parley
end=$(date +%s.%N)
printf 'cold build: %.1f s\n' "$(echo "$end - $start" | bc)"
printf 'binary size: %.1f MiB\n' "$(echo "$(stat -c %s "$work/parley") / 1048576" | bc -l)"

echo "== seed a demo folder, then time a restart to the first /healthz"
"$work/parley" demo --addr 127.0.0.1:0 --data-dir "$work/data" --demo-password "$pw" >"$work/demo.out" 2>"$work/demo.err" &
pid=$!
until grep -q 'parley demo:' "$work/demo.out"; do sleep 0.1; done
kill -TERM $pid; wait $pid || true

port=$(( 20000 + RANDOM % 20000 ))
start=$(date +%s%N)
"$work/parley" serve --addr 127.0.0.1:$port --data-dir "$work/data" 2>"$work/serve.err" &
pid=$!
until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.002; done
end=$(date +%s%N)
echo "start to first /healthz: $(( (end - start) / 1000000 )) ms"

sleep 5
echo "idle after 5 s: $(grep -E 'VmHWM|VmRSS' /proc/$pid/status | tr -s ' \n' ' ')"

echo "== $clients concurrent clients loading the round page for $duration"
"$work/parley" bench pages --url "http://127.0.0.1:$port" --username opp.head --password "$pw" --clients "$clients" --duration "$duration"
echo "after the load: $(grep -E 'VmHWM|VmRSS' /proc/$pid/status | tr -s ' \n' ' ')"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
