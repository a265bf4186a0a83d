#!/usr/bin/env bash
# The side-by-side run of `make bench-peers`: the paykit sandbox against the Prism mock server
# serving the same collection document, and paykit's wired client against the Node mtn-momo
# SDK, all on this machine, on loopback, one after another.
#
# The peers are installed with npm into a scratch folder (BENCH_PEERS_DIR, default a new
# mktemp -d folder), never into the repository. Every server this starts listens on 127.0.0.1
# and is stopped on exit; every load run is bounded by BENCH_PEERS_DURATION.
#
#   scripts/bench-peers/run.sh                       # or: make bench-peers
#   BENCH_PEERS_DIR=.cache/bench-peers BENCH_PEERS_DURATION=5s scripts/bench-peers/run.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/scripts/bench-peers"
WORK=${BENCH_PEERS_DIR:-$(mktemp -d -t paykit-bench-peers.XXXXXX)}
DURATION=${BENCH_PEERS_DURATION:-10s}
WORKERS=${BENCH_PEERS_WORKERS:-64}
TOKEN_FLOWS=${BENCH_PEERS_TOKEN_FLOWS:-2000}
PRISM_PKG=@stoplight/prism-cli@5.16.0
SDK_PKG=mtn-momo@2.0.0
GO=${GO:-go}

mkdir -p "$WORK/bin"
WORK=$(cd "$WORK" && pwd)
RESULTS="$WORK/results.jsonl"
: > "$RESULTS"
PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }

# free_port asks the kernel for a free loopback port.
free_port() {
	node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# wait_http waits until URL answers anything at all, at most 60 s.
wait_http() {
	for _ in $(seq 1 600); do
		if curl -s -o /dev/null "$1"; then return 0; fi
		sleep 0.1
	done
	echo "no answer from $1" >&2
	return 1
}

say "scratch folder: $WORK"
if [ ! -x "$WORK/node_modules/.bin/prism" ] || [ ! -d "$WORK/node_modules/mtn-momo" ]; then
	say "installing $PRISM_PKG and $SDK_PKG with npm (into the scratch folder)"
	printf '{"name":"paykit-bench-peers","private":true}\n' > "$WORK/package.json"
	(cd "$WORK" && npm install --no-audit --no-fund --loglevel=error "$PRISM_PKG" "$SDK_PKG" >/dev/null)
fi

say "building paykit, loadgen and the bundled collection document"
(cd "$ROOT" && $GO build -o "$WORK/bin/paykit" ./cmd/paykit \
	&& $GO build -o "$WORK/bin/loadgen" ./scripts/bench-peers/loadgen \
	&& $GO run ./scripts/bench-peers/bundle momo/collection.yaml > "$WORK/collection.json")
LOADGEN="$WORK/bin/loadgen"

say "machine"
{
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
	echo "kernel: $(uname -sr)"
	echo "$($GO version)"
	echo "node $(node --version), npm $(npm --version)"
	echo "prism $("$WORK/node_modules/.bin/prism" --version), mtn-momo $(node -p "require('$WORK/node_modules/mtn-momo/package.json').version")"
} | tee "$WORK/machine.txt"

SB_PORT=$(free_port)
SB="http://127.0.0.1:$SB_PORT"
"$WORK/bin/paykit" sandbox --addr "127.0.0.1:$SB_PORT" > "$WORK/sandbox.log" 2>&1 &
PIDS+=($!)
PRISM_PORT=$(free_port)
PRISM="http://127.0.0.1:$PRISM_PORT"
"$WORK/node_modules/.bin/prism" mock -h 127.0.0.1 -p "$PRISM_PORT" "$WORK/collection.json" > "$WORK/prism.log" 2>&1 &
PIDS+=($!)
wait_http "$SB/_sandbox/"
wait_http "$PRISM/v1_0/requesttopay/00000000-0000-4000-8000-000000000000"
eval "$("$LOADGEN" creds -base "$SB")"
CREDS=(-key "$MOMO_KEY" -api-user "$MOMO_API_USER" -api-key "$MOMO_API_KEY")

say "flows each server can run (MoMo collection document)"
echo "sandbox: $("$LOADGEN" flows -base "$SB" "${CREDS[@]}")" | tee -a "$WORK/flows.txt"
echo "prism:   $("$LOADGEN" flows -base "$PRISM" -root "${CREDS[@]}")" | tee -a "$WORK/flows.txt"

say "server load: request-to-pay + status, $WORKERS goroutines, $DURATION each, the same load tool"
curl -s -X POST "$SB/_sandbox/reset" >/dev/null
"$LOADGEN" load -name sandbox -base "$SB" "${CREDS[@]}" -workers "$WORKERS" -duration "$DURATION" | tee -a "$RESULTS"
"$LOADGEN" load -name prism -base "$PRISM" -root "${CREDS[@]}" -workers "$WORKERS" -duration "$DURATION" | tee -a "$RESULTS"

say "client load against the sandbox: request-to-pay + status, $WORKERS at a time, $DURATION each"
curl -s -X POST "$SB/_sandbox/reset" >/dev/null
"$LOADGEN" paykit -name paykit-client -base "$SB" "${CREDS[@]}" -workers "$WORKERS" -duration "$DURATION" | tee -a "$RESULTS"
curl -s -X POST "$SB/_sandbox/reset" >/dev/null
NODE_PATH="$WORK/node_modules" node "$HERE/momo-sdk.js" "$SB" "$MOMO_KEY" "$MOMO_API_USER" "$MOMO_API_KEY" "$WORKERS" "${DURATION%s}" \
	| sed 's/"name":"mtn-momo"/"name":"mtn-momo-client"/' | tee -a "$RESULTS"

say "token fetches: $TOKEN_FLOWS flows from a cold start, $WORKERS at a time, through a counting proxy"
PROXY_PORT=$(free_port)
PROXY="http://127.0.0.1:$PROXY_PORT"
"$LOADGEN" proxy -listen "127.0.0.1:$PROXY_PORT" -target "$SB" -max-time 10m > "$WORK/proxy.log" 2>&1 &
PIDS+=($!)
wait_http "$PROXY/_count"
"$LOADGEN" paykit -name paykit-tokens -base "$PROXY" "${CREDS[@]}" -workers "$WORKERS" -flows "$TOKEN_FLOWS" -duration 2m >/dev/null
echo "{\"name\":\"paykit-tokens\",\"count\":$(curl -s "$PROXY/_count")}" | tee -a "$RESULTS"
curl -s -X POST "$PROXY/_count/reset" >/dev/null
NODE_PATH="$WORK/node_modules" node "$HERE/momo-sdk.js" "$PROXY" "$MOMO_KEY" "$MOMO_API_USER" "$MOMO_API_KEY" "$WORKERS" 120 "$TOKEN_FLOWS" >/dev/null
echo "{\"name\":\"mtn-momo-tokens\",\"count\":$(curl -s "$PROXY/_count")}" | tee -a "$RESULTS"

say "summary"
node "$HERE/summary.js" "$RESULTS" | tee "$WORK/summary.txt"
echo
echo "raw results: $RESULTS; logs: $WORK/*.log"
