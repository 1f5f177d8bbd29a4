#!/usr/bin/env bash
# Private PostgreSQL and Redis servers for development and tests.
#
#   scripts/services.sh start    install what is missing, start both servers (idempotent)
#   scripts/services.sh stop     stop both servers
#   scripts/services.sh status   one line per server; exits 3 unless both are running
#   scripts/services.sh env      print the env file that `start` writes
#
# Both servers listen on 127.0.0.1 only and keep everything under one state folder, so they never touch a
# system PostgreSQL or Redis and a whole dev setup can be thrown away with `stop` and `rm -rf` of that folder.
# Settings (environment): AGENTIM_STATE_DIR (default /tmp/agentim-dev), AGENTIM_PG_PORT (default 55432),
# AGENTIM_REDIS_PORT (default 56379).
set -euo pipefail

STATE=$(realpath -m "${AGENTIM_STATE_DIR:-/tmp/agentim-dev}")
PG_PORT=${AGENTIM_PG_PORT:-55432}
REDIS_PORT=${AGENTIM_REDIS_PORT:-56379}

PG_DIR=$STATE/pg
PG_DATA=$PG_DIR/data
PG_SOCK=$PG_DIR/sock
PG_LOG=$PG_DIR/log
PG_PWFILE=$PG_DIR/superuser-password
REDIS_DIR=$STATE/redis
REDIS_PIDFILE=$REDIS_DIR/redis.pid
# The port Redis was started on; stop and status use it so that a changed AGENTIM_REDIS_PORT can never
# make them talk to (or shut down) somebody else's Redis.
REDIS_PORTFILE=$REDIS_DIR/port
ENV_FILE=$STATE/services.env

export DEBIAN_FRONTEND=noninteractive

die() {
    echo "services.sh: $*" >&2
    exit 1
}

log() {
    echo "services.sh: $*"
}

# --- installing -----------------------------------------------------------------------------------------

# Newest /usr/lib/postgresql/<version>/bin, or nothing when no server is installed.
newest_pg_bin() {
    local ctls=(/usr/lib/postgresql/*/bin/pg_ctl)
    [[ -e ${ctls[0]} ]] || return 0
    printf '%s\n' "${ctls[@]%/pg_ctl}" | sort -V | tail -n 1
}

# An existing data folder can only be run by the major version that created it, so prefer that one.
pg_bin() {
    if [[ -f $PG_DATA/PG_VERSION ]]; then
        local made_by
        made_by=$(<"$PG_DATA/PG_VERSION")
        [[ -x /usr/lib/postgresql/$made_by/bin/pg_ctl ]] ||
            die "$PG_DATA was made by PostgreSQL $made_by, which is not installed; run stop and delete $PG_DIR"
        echo "/usr/lib/postgresql/$made_by/bin"
    else
        newest_pg_bin
    fi
}

deb_installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true) == "install ok installed" ]]
}

# apt-get update is slow and needs the network, so it runs only when something is actually missing.
ensure_packages() {
    local missing=()
    command -v gcc >/dev/null || missing+=(gcc) # the native AOT linker driver
    deb_installed libc6-dev || missing+=(libc6-dev)
    command -v redis-server >/dev/null || missing+=(redis-server)
    [[ -n $(newest_pg_bin) ]] || missing+=(postgresql)
    # The packaging tests run `systemd-analyze verify` on the unit and lintian on the .deb.
    command -v systemd-analyze >/dev/null || missing+=(systemd)
    command -v lintian >/dev/null || missing+=(lintian)
    # The metrics test runs `promtool check metrics` on the hub's /api/metrics output.
    command -v promtool >/dev/null || missing+=(prometheus)
    # The web app's browser tests drive Debian's headless Chromium.
    command -v chromium >/dev/null || missing+=(chromium)
    ((${#missing[@]} == 0)) && return 0

    ((EUID == 0)) || die "missing ${missing[*]} and only root can install them"
    log "installing ${missing[*]}"
    apt-get update -q </dev/null
    apt-get install -y -q "${missing[@]}" </dev/null
}

# --- process helpers --------------------------------------------------------------------------------------

# PostgreSQL refuses to run as root. The cd keeps it from complaining about a cwd it cannot enter.
as_postgres() {
    if ((EUID == 0)); then
        (cd "$PG_DIR" && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# True when pid $1 is alive and runs program $2. A bare `kill -0` is not enough: after a reboot or a
# killed CI run the pid in a leftover pid file may belong to an unrelated process.
pid_runs() {
    [[ -n $1 && $(cat "/proc/$1/comm" 2>/dev/null) == "$2" ]]
}

# True when something listens on TCP port $1 on any address. It reads the kernel's socket table instead of
# connecting, so nothing is sent to a server that is not ours.
port_listening() {
    local tables=() table hex
    hex=$(printf ':%04X' "$1")
    for table in /proc/net/tcp /proc/net/tcp6; do
        [[ -r $table ]] && tables+=("$table")
    done
    # Column 2 is local address:port in hex, column 4 the state; 0A is LISTEN.
    awk -v port="$hex" '$4 == "0A" && substr($2, length($2) - 4) == port { found = 1 } END { exit !found }' \
        "${tables[@]}"
}

wait_until() {
    local tries=$1
    shift
    while ! "$@"; do
        ((--tries > 0)) || return 1
        sleep 0.2
    done
}

# --- PostgreSQL -----------------------------------------------------------------------------------------

pg_pid() {
    [[ -r $PG_DATA/postmaster.pid ]] || return 0
    local pid
    pid=$(head -n 1 "$PG_DATA/postmaster.pid")
    if pid_runs "$pid" postgres; then echo "$pid"; fi
}

# Line 4 of postmaster.pid is the port the running server listens on.
pg_running_port() {
    sed -n 4p "$PG_DATA/postmaster.pid"
}

pg_answers() {
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1"
}

pg_prepare_dirs() {
    mkdir -p "$PG_DATA" "$PG_SOCK"
    if ((EUID == 0)); then
        getent passwd postgres >/dev/null || die "there is no postgres user; reinstall the postgresql package"
        chown postgres:postgres "$PG_DIR" "$PG_DATA" "$PG_SOCK"
    fi
    chmod 700 "$PG_DATA"
    as_postgres test -w "$PG_SOCK" ||
        die "the postgres user cannot reach $PG_DIR (a parent folder is closed to others); pick an AGENTIM_STATE_DIR under /tmp"
}

# The superuser password only guards TCP logins (local socket logins are trusted), so a random one kept in
# the state folder is enough. It is alphanumeric so that it can sit in a URL unescaped.
pg_ensure_password_file() {
    [[ -s $PG_PWFILE ]] && return 0
    (umask 077 && head -c 18 /dev/urandom | base64 | tr '+/' 'xy' >"$PG_PWFILE")
    if ((EUID == 0)); then chown postgres:postgres "$PG_PWFILE"; fi
}

pg_init() {
    [[ -f $PG_DATA/PG_VERSION ]] && return 0
    local locale_args=(--locale=C.UTF-8)
    case "$(locale -a 2>/dev/null)" in
    *C.utf8* | *C.UTF-8*) ;;
    *) locale_args=(--no-locale) ;;
    esac
    log "creating a PostgreSQL cluster in $PG_DATA"
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$PG_PWFILE" \
        --auth-host=scram-sha-256 --auth-local=trust --encoding=UTF8 "${locale_args[@]}" >"$PG_DIR/initdb.log" ||
        die "initdb failed; see $PG_DIR/initdb.log"
}

pg_start() {
    local pid
    pid=$(pg_pid)
    if [[ -n $pid ]]; then
        [[ $(pg_running_port) == "$PG_PORT" ]] ||
            die "PostgreSQL of $STATE already runs on port $(pg_running_port), not $PG_PORT; run stop first"
        wait_until 50 pg_answers "$PG_PORT" || die "PostgreSQL of $STATE (pid $pid) does not answer; see $PG_LOG"
        log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
        return 0
    fi

    port_listening "$PG_PORT" && die "port $PG_PORT is taken by another process; set AGENTIM_PG_PORT to a free port"
    # Leftovers of a server that was killed; its pid may since have been reused by another program.
    rm -f "$PG_DATA/postmaster.pid" "$PG_SOCK"/.s.PGSQL.*

    # fsync and friends are off: this is a throwaway dev/test database and tests create many databases.
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w start -o "-p $PG_PORT -c listen_addresses=127.0.0.1 \
-k $PG_SOCK -c max_connections=100 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null ||
        die "PostgreSQL did not start; see $PG_LOG"
    pg_answers "$PG_PORT" || die "PostgreSQL started but does not answer on 127.0.0.1:$PG_PORT; see $PG_LOG"
    log "PostgreSQL started on 127.0.0.1:$PG_PORT"
}

# Idempotent: the app role gets CREATEDB so that tests can make a database of their own each.
pg_ensure_roles() {
    "$PG_BIN/psql" -X -q -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -v superuser_password="$(<"$PG_PWFILE")" >/dev/null <<'SQL'
ALTER ROLE postgres PASSWORD :'superuser_password';
SELECT 'CREATE ROLE agentim'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agentim')
\gexec
ALTER ROLE agentim WITH LOGIN CREATEDB PASSWORD 'agentim';
SELECT 'CREATE DATABASE agentim OWNER agentim'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'agentim')
\gexec
SQL
}

pg_stop() {
    if [[ -z $(pg_pid) ]]; then
        log "PostgreSQL already stopped"
        return 0
    fi
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    log "PostgreSQL stopped"
}

pg_status() {
    local pid
    pid=$(pg_pid)
    if [[ -n $pid ]] && pg_answers "$(pg_running_port)"; then
        echo "postgres: running on 127.0.0.1:$(pg_running_port) (pid $pid, data $PG_DATA)"
    elif [[ -n $pid ]]; then
        echo "postgres: process $pid is up but not answering (see $PG_LOG)"
        return 1
    else
        echo "postgres: stopped"
        return 1
    fi
}

# --- Redis ----------------------------------------------------------------------------------------------

redis_pid() {
    [[ -r $REDIS_PIDFILE ]] || return 0
    local pid
    pid=$(<"$REDIS_PIDFILE")
    if pid_runs "$pid" redis-server; then echo "$pid"; fi
}

redis_running_port() {
    cat "$REDIS_PORTFILE" 2>/dev/null || echo "$REDIS_PORT"
}

redis_answers() {
    [[ $(redis-cli -h 127.0.0.1 -p "$1" ping </dev/null 2>/dev/null) == PONG ]]
}

redis_gone() {
    ! pid_runs "$1" redis-server
}

redis_start() {
    local pid
    pid=$(redis_pid)
    if [[ -n $pid ]]; then
        [[ $(redis_running_port) == "$REDIS_PORT" ]] ||
            die "Redis of $STATE already runs on port $(redis_running_port), not $REDIS_PORT; run stop first"
        wait_until 50 redis_answers "$REDIS_PORT" || die "Redis of $STATE (pid $pid) does not answer; see $REDIS_DIR/log"
        log "Redis already running on 127.0.0.1:$REDIS_PORT"
        return 0
    fi

    port_listening "$REDIS_PORT" &&
        die "port $REDIS_PORT is taken by another process; set AGENTIM_REDIS_PORT to a free port"
    mkdir -p "$REDIS_DIR"
    rm -f "$REDIS_PIDFILE"
    echo "$REDIS_PORT" >"$REDIS_PORTFILE"
    # No persistence: tests expect an empty Redis after a restart, and nothing here is worth keeping.
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_DIR/log" --dir "$REDIS_DIR" </dev/null
    wait_until 50 redis_answers "$REDIS_PORT" || die "Redis did not start; see $REDIS_DIR/log"
    log "Redis started on 127.0.0.1:$REDIS_PORT"
}

redis_stop() {
    local pid
    pid=$(redis_pid)
    if [[ -z $pid ]]; then
        log "Redis already stopped"
        return 0
    fi
    redis-cli -h 127.0.0.1 -p "$(redis_running_port)" shutdown nosave </dev/null >/dev/null 2>&1 || true
    # A Redis that did not take the command (busy, or its port file is lost) still goes away on SIGTERM.
    if ! wait_until 50 redis_gone "$pid"; then
        kill -TERM "$pid"
        wait_until 50 redis_gone "$pid" || die "Redis (pid $pid) does not stop"
    fi
    log "Redis stopped"
}

redis_status() {
    local pid
    pid=$(redis_pid)
    if [[ -n $pid ]] && redis_answers "$(redis_running_port)"; then
        echo "redis: running on 127.0.0.1:$(redis_running_port) (pid $pid)"
    elif [[ -n $pid ]]; then
        echo "redis: process $pid is up but not answering (see $REDIS_DIR/log)"
        return 1
    else
        echo "redis: stopped"
        return 1
    fi
}

# --- commands -------------------------------------------------------------------------------------------

write_env_file() {
    local superuser_password
    superuser_password=$(<"$PG_PWFILE")
    # It holds the superuser password, so only the owner may read it.
    (
        umask 077
        cat >"$ENV_FILE" <<EOF
export DATABASE_URL=postgresql://agentim:agentim@127.0.0.1:$PG_PORT/agentim
export REDIS_URL=127.0.0.1:$REDIS_PORT
export AGENTIM_PG_ADMIN_URL=postgresql://postgres:$superuser_password@127.0.0.1:$PG_PORT/postgres
export AGENTIM_PG_BIN=$PG_BIN
export AGENTIM_PG_DATA=$PG_DATA
export AGENTIM_PG_PORT=$PG_PORT
export AGENTIM_REDIS_PORT=$REDIS_PORT
export AGENTIM_STATE_DIR=$STATE
EOF
    )
}

cmd_start() {
    ensure_packages
    mkdir -p "$STATE"
    PG_BIN=$(pg_bin)
    [[ -n $PG_BIN ]] || die "no PostgreSQL server under /usr/lib/postgresql after installing it"

    pg_prepare_dirs
    pg_ensure_password_file
    pg_init
    pg_start
    pg_ensure_roles
    redis_start

    write_env_file
    log "environment written to $ENV_FILE (use: source $ENV_FILE)"
}

cmd_stop() {
    if [[ -d $PG_DATA ]]; then
        PG_BIN=$(pg_bin)
        pg_stop
    fi
    if command -v redis-cli >/dev/null; then
        redis_stop
    fi
}

cmd_status() {
    local rc=0
    if [[ -d $PG_DATA ]]; then
        PG_BIN=$(pg_bin)
        pg_status || rc=3
    else
        echo "postgres: not set up in $STATE"
        rc=3
    fi
    if command -v redis-cli >/dev/null; then
        redis_status || rc=3
    else
        echo "redis: not installed"
        rc=3
    fi
    return "$rc"
}

cmd_env() {
    [[ -r $ENV_FILE ]] || die "no $ENV_FILE yet; run: $0 start"
    cat "$ENV_FILE"
}

main() {
    case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    *)
        echo "usage: $0 start|stop|status|env" >&2
        exit 2
        ;;
    esac
}

main "$@"
