#!/usr/bin/env bash
# Reproduces the "Capacity probe" table of the README: publishes the AOT binary, then RUNS times (default 3) starts a
# fresh hub on a fresh database pinned to core 0, runs `agentim capacity probe` pinned to core 1 against it, and
# prints the median of each figure. Extra arguments go to the probe (e.g. --sockets 2000 --seconds 20).
#
#   bench/probe.sh                    # make publish, 3 runs, medians
#   SKIP_PUBLISH=1 RUNS=1 bench/probe.sh --seconds 5
#   HUB_ENV="DOTNET_GCgen0size=400000" bench/probe.sh   # extra variables for the hub (e.g. GC knobs to compare)
#
# Needs the private PostgreSQL of scripts/services.sh (make services). Everything listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

STATE=${AGENTIM_STATE_DIR:-/tmp/agentim-dev}
RUNS=${RUNS:-3}
BINARY=${BINARY:-artifacts/publish/agentim}
OUT=${OUT:-artifacts/probe}
# shellcheck source=/dev/null
source "$STATE/services.env"
PSQL="${AGENTIM_PG_BIN:-/usr/lib/postgresql/15/bin}/psql"

if [[ ${SKIP_PUBLISH:-0} != 1 ]]; then
    make publish
fi
[[ -x $BINARY ]] || { echo "probe.sh: $BINARY is missing (make publish)" >&2; exit 1; }
mkdir -p "$OUT"
rm -f "$OUT"/run-*.json "$OUT"/hub-*.log

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

random_text() { head -c "$1" /dev/urandom | base64 -w 0 | tr '+/' '-_' | tr -d '='; }

hub_pid=
database=
cleanup() {
    if [[ -n $hub_pid ]] && kill -0 "$hub_pid" 2>/dev/null; then
        kill -TERM "$hub_pid"
        wait "$hub_pid" 2>/dev/null || true
    fi
    hub_pid=
    if [[ -n $database ]]; then
        "$PSQL" "$AGENTIM_PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" >/dev/null || true
    fi
    database=
}
trap cleanup EXIT

for run in $(seq 1 "$RUNS"); do
    database="agentim_probe_$(date +%s)_$$_$run"
    "$PSQL" "$AGENTIM_PG_ADMIN_URL" -qc "CREATE DATABASE \"$database\" OWNER agentim" >/dev/null
    port=$(free_port)
    admin_password="Probe-$(random_text 18)-9a"
    log="$OUT/hub-$run.log"

    # Production mode, as deployed: strong secrets, metrics behind a token, info-level logs.
    # shellcheck disable=SC2086 # HUB_ENV is a list of NAME=VALUE words on purpose.
    env ${HUB_ENV:-} AGENTIM_ENV=production HOST=127.0.0.1 PORT="$port" \
        DATABASE_URL="${DATABASE_URL%/*}/$database" \
        JWT_SECRET="$(random_text 48)" ENCRYPTION_KEY="$(random_text 48)" \
        ADMIN_USERNAME=admin ADMIN_PASSWORD="$admin_password" \
        UPLOAD_DIR="$(mktemp -d /tmp/agentim-probe-uploads.XXXXXX)" \
        taskset -c 0 "$BINARY" serve >"$log" 2>&1 &
    hub_pid=$!

    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
        kill -0 "$hub_pid" 2>/dev/null || { echo "probe.sh: the hub exited, see $log" >&2; exit 1; }
        sleep 0.2
    done
    # Let start-up allocations settle before the idle reading.
    sleep 3

    echo "== run $run of $RUNS: hub pid $hub_pid on 127.0.0.1:$port (core 0), probe on core 1"
    ADMIN_USERNAME=admin ADMIN_PASSWORD="$admin_password" taskset -c 1 "$BINARY" capacity probe \
        --url "http://127.0.0.1:$port" --hub-pid "$hub_pid" --json "$@" >"$OUT/run-$run.json"
    jq -r '"idle \(.idle.idleRssBytes/1e6) MB, \(.idle.sockets) sockets \(.idle.rssWithSocketsBytes/1e6) MB (\(.idle.kbPerSocket) KB each), "
        + "\(.load.messagesPerSecond) msg/s, \(.load.deliveriesPerSecond) deliveries/s, p50 \(.load.latencyP50Ms) ms, p99 \(.load.latencyP99Ms) ms, "
        + "errors \(.load.errors), hub CPU \(.load.hubCpuSeconds) s, \(.load.deliveriesPerHubCpuSecond) deliveries per hub CPU-second"' \
        "$OUT/run-$run.json"
    uptime
    cleanup
done

# Medians over the runs (the middle value; the lower middle for an even count).
jq -rs '
    def median: sort | .[(length - 1) / 2 | floor];
    def row(name; value; target; ratio): "\(name)|\(value)|\(target)|\(ratio)";
    (map(.idle.idleRssBytes / 1e6) | median) as $idle
    | (map(.idle.rssWithSocketsBytes / 1e6) | median) as $sockets
    | (map(.idle.kbPerSocket) | median) as $kb
    | (map(.load.messagesPerSecond) | median) as $mps
    | (map(.load.deliveriesPerSecond) | median) as $dps
    | (map(.load.latencyP50Ms) | median) as $p50
    | (map(.load.latencyP99Ms) | median) as $p99
    | (map(.load.rssUnderLoadBytes / 1e6) | median) as $loadRss
    | (map(.load.hubCpuSeconds / .load.seconds) | median) as $cores
    | (map(.load.deliveriesPerHubCpuSecond) | median) as $perCpu
    | "medians of \(length) runs: \(.[0].idle.sockets) idle sockets, \(.[0].load.clients) clients, \(.[0].load.seconds | round) s of load",
      "measure|median|target|median/target",
      row("idle RSS"; "\($idle * 10 | round / 10) MB"; "<= 40 MB"; ($idle / 40 * 100 | round / 100)),
      row("RSS with idle sockets"; "\($sockets * 10 | round / 10) MB"; "<= 60 MB"; ($sockets / 60 * 100 | round / 100)),
      row("per idle socket"; "\($kb * 10 | round / 10) KB"; ""; ""),
      row("messages stored/s"; "\($mps | round)"; ""; ""),
      row("deliveries/s"; "\($dps | round)"; ">= 60000"; ($dps / 60000 * 100 | round / 100)),
      row("latency p50"; "\($p50) ms"; ""; ""),
      row("latency p99"; "\($p99) ms"; "<= 50 ms"; ($p99 / 50 * 100 | round / 100)),
      row("RSS under load"; "\($loadRss * 10 | round / 10) MB"; ""; ""),
      row("hub CPU during the load"; "\($cores * 100 | round / 100) core"; ""; ""),
      row("deliveries per hub CPU-second"; "\($perCpu | round)"; ">= 60000"; ($perCpu / 60000 * 100 | round / 100))
' "$OUT"/run-*.json | column -t -s '|'
