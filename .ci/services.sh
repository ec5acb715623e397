#!/usr/bin/env bash
# A throwaway PostgreSQL and Redis on loopback, for the tests that talk to real servers (test/doctor/, and the one-instance gate in test/provider/).
# Idempotent: installs the Debian packages only when missing, initializes the cluster once, starts
# each server only when nothing answers on its port, then waits until both answer. Needs root (apt,
# and postgres runs as the postgres user). Source it and call services_start: it exports
#   TAILWART_TEST_PG_URL     postgres://postgres:<pw>@127.0.0.1:<port>/postgres  (listens on 127.0.0.1 and ::1)
#   TAILWART_TEST_REDIS_URL  redis://127.0.0.1:<port>/0
# `bash .ci/services.sh start|stop` does the same from a shell (start prints the two exports).
# Overrides: TAILWART_SERVICES_DIR (default /tmp/tailwart-services), TAILWART_TEST_PG_PORT (55432),
# TAILWART_TEST_REDIS_PORT (56379).

services_dir() { echo "${TAILWART_SERVICES_DIR:-/tmp/tailwart-services}"; }

services_pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

services_install() {
    local need=()
    [ -n "$(services_pgbin)" ] || need+=(postgresql)
    command -v redis-server >/dev/null && command -v redis-cli >/dev/null || need+=(redis-server)
    [ ${#need[@]} -eq 0 ] && return 0
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
}

# $1 = what, $2... = a command that succeeds once the server answers
services_wait() {
    local what=$1
    shift
    for _ in $(seq 1 60); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "services: $what did not answer within 30 s" >&2
    return 1
}

services_start_postgres() {
    local dir=$1 port=$2 bin
    bin=$(services_pgbin)
    [ -n "$bin" ] || { echo "services: no PostgreSQL binaries under /usr/lib/postgresql" >&2; return 1; }
    # the socket and the log live where the postgres user may write
    install -d -o postgres -g postgres -m 755 "$dir/pg-run"
    # the superuser's password, made once and kept with the cluster (TCP logins use scram-sha-256)
    [ -s "$dir/pg-password" ] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/pg-password")
    if [ ! -f "$dir/pg/PG_VERSION" ]; then
        install -d -o postgres -g postgres -m 700 "$dir/pg"
        install -o postgres -m 600 "$dir/pg-password" "$dir/pg-password.init"
        su postgres -s /bin/sh -c "'$bin/initdb' -D '$dir/pg' -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile='$dir/pg-password.init' --no-sync -E UTF8" >/dev/null || return 1
        rm -f "$dir/pg-password.init"
    fi
    if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
        su postgres -s /bin/sh -c "'$bin/pg_ctl' -D '$dir/pg' -l '$dir/pg-run/pg.log' -w -t 30 -o \"-p $port -c listen_addresses='127.0.0.1,::1' -k '$dir/pg-run' -c fsync=off\" start" >/dev/null || {
            tail -n 20 "$dir/pg-run/pg.log" >&2
            return 1
        }
    fi
    services_wait PostgreSQL "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"
}

services_start_redis() {
    local dir=$1 port=$2
    if ! redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
        redis-server --port "$port" --bind "127.0.0.1 ::1" --save '' --appendonly no --dir "$dir" \
            --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" || return 1
    fi
    services_wait Redis sh -c "redis-cli -h 127.0.0.1 -p $port ping | grep -q PONG"
}

services_start() {
    local dir pg_port=${TAILWART_TEST_PG_PORT:-55432} redis_port=${TAILWART_TEST_REDIS_PORT:-56379}
    dir=$(services_dir)
    if [ "$(id -u)" != 0 ]; then
        echo "services: not root, so PostgreSQL and Redis are not installed or started; the tests that need them skip (they run under CI=true)" >&2
        return 1
    fi
    mkdir -p "$dir"
    chmod 755 "$dir"
    services_install || { echo "services: apt-get could not install postgresql and redis-server" >&2; return 1; }
    services_start_postgres "$dir" "$pg_port" || return 1
    services_start_redis "$dir" "$redis_port" || return 1
    export TAILWART_TEST_PG_URL="postgres://postgres:$(cat "$dir/pg-password")@127.0.0.1:$pg_port/postgres"
    export TAILWART_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
    echo "services: PostgreSQL on 127.0.0.1/::1:$pg_port, Redis on 127.0.0.1/::1:$redis_port" >&2
}

services_stop() {
    local dir bin
    dir=$(services_dir)
    bin=$(services_pgbin)
    [ -f "$dir/pg/postmaster.pid" ] && su postgres -s /bin/sh -c "'$bin/pg_ctl' -D '$dir/pg' -m fast -w stop" >/dev/null
    [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null
    rm -f "$dir/redis.pid"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    case "${1:-}" in
        start)
            services_start || exit 1
            echo "export TAILWART_TEST_PG_URL='$TAILWART_TEST_PG_URL'"
            echo "export TAILWART_TEST_REDIS_URL='$TAILWART_TEST_REDIS_URL'"
            ;;
        stop) services_stop ;;
        *)
            echo "usage: bash .ci/services.sh start|stop" >&2
            exit 2
            ;;
    esac
fi
