#!/usr/bin/env bash
# RSS of the published hub before and during ten concurrent 10 MB uploads (issue #6: the rise must stay under 20 MB).
# Uses artifacts/publish/agentim (run `make publish` first), the private PostgreSQL of scripts/services.sh and a
# database and upload directory of its own; the hub listens on 127.0.0.1 only. Prints one line per run and the median.
#   bench/uploads.sh [RUNS=3] [CONCURRENT=10] [SIZE_MB=10]
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${1:-3}
CONCURRENT=${2:-10}
SIZE_MB=${3:-10}
BINARY=${AGENTIM_BINARY:-artifacts/publish/agentim}
ENV_FILE=${AGENTIM_STATE_DIR:-/tmp/agentim-dev}/services.env

[[ -x $BINARY ]] || { echo "bench: $BINARY not found; run 'make publish' first" >&2; exit 1; }
[[ -r $ENV_FILE ]] || { echo "bench: $ENV_FILE not found; run 'scripts/services.sh start' first" >&2; exit 1; }
# shellcheck disable=SC1090
source "$ENV_FILE"

WORK=$(mktemp -d /tmp/agentim-bench-uploads.XXXXXX)
DB=agentim_bench_$$
PSQL=("$AGENTIM_PG_BIN/psql" "$AGENTIM_PG_ADMIN_URL" -qAt -v ON_ERROR_STOP=1)
HUB_PID=
cleanup() {
    if [[ -n $HUB_PID ]]; then kill "$HUB_PID" 2>/dev/null || true; wait "$HUB_PID" 2>/dev/null || true; fi
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

"${PSQL[@]}" -c "CREATE DATABASE $DB" >/dev/null
DB_URL=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' \
    "$AGENTIM_PG_ADMIN_URL" "$DB")

# The file: a PDF magic number, then random bytes.
FILE=$WORK/payload.pdf
{ printf '%%PDF-1.4\n'; head -c $((SIZE_MB * 1024 * 1024 - 9)) /dev/urandom; } > "$FILE"

kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$HUB_PID/status"; }

run_once() {
    local port dir token base rss_before hwm pids
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    dir=$WORK/uploads-$1
    mkdir -p "$dir"
    AGENTIM_ENV=development HOST=127.0.0.1 PORT=$port DATABASE_URL=$DB_URL UPLOAD_DIR=$dir LOG_LEVEL=warn \
        ADMIN_USERNAME=admin ADMIN_PASSWORD=Bench-Admin-Pass-1! JWT_SECRET=$(head -c 32 /dev/urandom | base64) \
        "$BINARY" serve > "$WORK/hub-$1.log" 2>&1 &
    HUB_PID=$!
    base=http://127.0.0.1:$port
    for _ in $(seq 100); do curl -fs "$base/api/health" >/dev/null 2>&1 && break; sleep 0.1; done
    token=$(curl -fs "$base/api/auth/login" -H 'Content-Type: application/json' \
        -d '{"username":"admin","password":"Bench-Admin-Pass-1!"}' | jq -r .data.accessToken)

    # Warm the upload path once (first-use allocations are not what is measured), then settle.
    curl -fs -H "Authorization: Bearer $token" -F "file=@$FILE;type=application/pdf" "$base/api/upload" >/dev/null
    sleep 2
    rss_before=$(kib VmRSS)
    echo 5 > "/proc/$HUB_PID/clear_refs"   # resets VmHWM to the current RSS

    pids=()
    for i in $(seq "$CONCURRENT"); do
        curl -fs -o "$WORK/reply-$i.json" -H "Authorization: Bearer $token" \
            -F "file=@$FILE;type=application/pdf;filename=f$i.pdf" "$base/api/upload" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    hwm=$(kib VmHWM)
    local ok
    ok=$(cat "$WORK"/reply-*.json | jq -s '[.[] | select(.ok == true)] | length')
    [[ $ok == "$CONCURRENT" ]] || { echo "bench: only $ok of $CONCURRENT uploads succeeded" >&2; exit 1; }

    kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true; HUB_PID=
    rm -rf "$dir" "$WORK"/reply-*.json
    echo "$rss_before $hwm"
}

rises=()
for run in $(seq "$RUNS"); do
    read -r before peak < <(run_once "$run")
    rise=$((peak - before))
    rises+=("$rise")
    printf 'run %d: RSS before %.1f MiB, peak during %d x %d MB uploads %.1f MiB, rise %.1f MiB\n' \
        "$run" "$(bc -l <<< "$before/1024")" "$CONCURRENT" "$SIZE_MB" "$(bc -l <<< "$peak/1024")" "$(bc -l <<< "$rise/1024")"
done
median=$(printf '%s\n' "${rises[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
printf 'median RSS rise over %d runs: %.1f MiB\n' "$RUNS" "$(bc -l <<< "$median/1024")"
