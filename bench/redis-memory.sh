#!/usr/bin/env bash
# Redis memory per unit under the seed's scripted population (200 users, 500 rooms), measured on a private
# redis-server of its own (temporary directory, free loopback port, no persistence). Prints MEMORY USAGE per key
# kind and the INFO memory difference per unit for what has no key (channels), beside the seed's figures, and the
# population's total (used_memory minus an empty Redis) against the seed's ~5 MB.
# Usage: bench/redis-memory.sh [USERS] [ROOMS]      (defaults 200 500; needs redis-server and redis-cli)
set -euo pipefail

users=${1:-200}
rooms=${2:-500}
dir=$(mktemp -d /tmp/agentim-redis-memory.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
cli() { redis-cli -h 127.0.0.1 -p "$port" "$@"; }
subscribers=()

cleanup() {
    for pid in "${subscribers[@]}"; do kill "$pid" 2>/dev/null || true; done
    cli shutdown nosave >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT

redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no --daemonize yes \
    --logfile "$dir/redis.log" --pidfile "$dir/redis.pid" >/dev/null
for _ in $(seq 100); do [ "$(cli ping 2>/dev/null)" = PONG ] && break; sleep 0.05; done

used() { cli info memory | tr -d '\r' | awk -F: '$1=="used_memory"{print $2}'; }
# Ids have the hub's length (21 characters, like nanoid).
uid() { printf 'u%020d' "$1"; }
rid() { printf 'r%020d' "$1"; }
sid() { printf 's%020d' "$1"; }
# Average MEMORY USAGE (bytes) over every key matching a pattern.
avg_usage() {
    cli --scan --pattern "$1" | awk '{print "MEMORY USAGE " $1 " SAMPLES 0"}' | cli \
        | awk '{s+=$1; n++} END {if (n) printf "%.0f %d\n", s/n, n; else print "0 0"}'
}

empty=$(used)
now=$(($(date +%s) * 1000))
{
    for u in $(seq "$users"); do
        # A connected user who sends: the per-user client frame window (ws:rate) and the per-address API window.
        echo "SET ws:rate:$(uid "$u") 7 PX 600000"
        echo "SET rl:api:10.0.$((u / 250)).$((u % 250)):60 31 PX 600000"
        # Every user typing at once, each in one of the rooms (4 s indicator; a long TTL keeps it for the measurement).
        echo "SET ws:typing:$(uid "$u"):$(rid $((u % rooms + 1))) $now PX 600000"
        # Worst case: every user revoked (password change) within the access-token lifetime.
        echo "SET revoked:$(uid "$u") $now PX 900000"
        echo "SET revoked:s:$(sid "$u") $(uid "$u") PX 900000"
    done
    for a in $(seq 50); do
        echo "HSET agentim:agents $(printf 'a%020d' "$a") nodeabcdefgh"
        echo "SADD conv:$(printf 'c%020d' "$a"):visited $(printf 'a%020d' "$a") $(printf 'a%020d' $((a + 1)))"
        echo "PEXPIRE conv:$(printf 'c%020d' "$a"):visited 300000"
    done
} | cli >/dev/null
populated=$(used)

# Pub/sub: our nodes hold one pattern subscription (agentim:*) each, whatever the number of rooms; publishing to a
# room channel creates no server state. For comparison, the per-room SUBSCRIBE scheme of the seed: one subscriber
# (a hub node) subscribed to every room's channel.
before_pattern=$(used)
for _ in 1 2; do cli psubscribe 'agentim:*' >/dev/null 2>&1 & subscribers+=($!); done
sleep 0.5
after_pattern=$(used)
channels=()
for r in $(seq "$rooms"); do channels+=("agentim:room:$(rid "$r")"); done
before_channels=$(used)
cli subscribe "${channels[@]}" >/dev/null 2>&1 & subscribers+=($!)
for _ in $(seq 100); do [ "$(cli pubsub numsub "${channels[-1]}" | tail -1)" = 1 ] && break; sleep 0.05; done
after_channels=$(used)
kill "${subscribers[-1]}"; unset 'subscribers[-1]'; sleep 0.3
# Our scheme: a frame published to every room's channel; nothing stays behind per channel.
before_publish=$(used)
for r in $(seq "$rooms"); do echo "PUBLISH agentim:room:$(rid "$r") {}"; done | cli >/dev/null
sleep 0.3
per_room_ours=$((($(used) - before_publish) / rooms))
total=$(($(used) - empty))

read -r rate_b rate_n < <(avg_usage 'ws:rate:*')
read -r typing_b typing_n < <(avg_usage 'ws:typing:*')
read -r revoked_b revoked_n < <(avg_usage 'revoked:u*')
read -r rsess_b rsess_n < <(avg_usage 'revoked:s:*')
read -r rl_b rl_n < <(avg_usage 'rl:*')
read -r conv_b conv_n < <(avg_usage 'conv:*')
agents_b=$(cli memory usage agentim:agents samples 0)
per_channel=$(((after_channels - before_channels) / rooms))
pattern=$(((after_pattern - before_pattern) / 2))

kb() { awk -v b="$1" 'BEGIN {printf "%.3f", b / 1024}'; }
printf '%-26s %-34s %10s %10s %8s\n' "unit" "how it is held" "bytes" "KB" "seed KB"
printf '%-26s %-34s %10s %10s %8s\n' "WebSocket session" "ws:rate:<userId> (per active user)" "$rate_b" "$(kb "$rate_b")" "0.5"
printf '%-26s %-34s %10s %10s %8s\n' "Room subscription" "none (node-local)" "0" "0.000" "0.1"
printf '%-26s %-34s %10s %10s %8s\n' "Pub/Sub channel (ours)" "PUBLISH agentim:room:<id>, per room" \
    "$per_room_ours" "$(kb "$per_room_ours")" "0.2"
printf '%-26s %-34s %10s %10s %8s\n' "  same, per-room scheme" "SUBSCRIBE agentim:room:<id>" "$per_channel" "$(kb "$per_channel")" "0.2"
printf '%-26s %-34s %10s %10s %8s\n' "Hub node (fixed)" "PSUBSCRIBE agentim:* + buffers" "$pattern" "$(kb "$pattern")" "-"
printf '%-26s %-34s %10s %10s %8s\n' "Typing indicator" "ws:typing:<userId>:<roomId>" "$typing_b" "$(kb "$typing_b")" "0.1"
printf '%-26s %-34s %10s %10s %8s\n' "Token revocation (user)" "revoked:<userId>" "$revoked_b" "$(kb "$revoked_b")" "0.1"
printf '%-26s %-34s %10s %10s %8s\n' "Token revocation (session)" "revoked:s:<sessionId>" "$rsess_b" "$(kb "$rsess_b")" "0.1"
printf '%-26s %-34s %10s %10s %8s\n' "HTTP rate-limit window" "rl:<bucket>:<identity>:<sec>" "$rl_b" "$(kb "$rl_b")" "-"
printf '%-26s %-34s %10s %10s %8s\n' "Loop-detection set" "conv:<id>:visited (2 agents)" "$conv_b" "$(kb "$conv_b")" "-"
printf '%-26s %-34s %10s %10s %8s\n' "Agent directory (50)" "agentim:agents hash" "$agents_b" "$(kb "$agents_b")" "-"
echo
echo "population: $users users ($rate_n sessions, $typing_n typing, $revoked_n+$rsess_n revocations), $rooms rooms, 2 nodes"
echo "keys only: $((populated - empty)) bytes; total with both nodes' subscriptions: $total bytes" \
    "($(awk -v b="$total" 'BEGIN {printf "%.2f", b / 1048576}') MB; seed: ~5 MB)"
