# Shared settings of the local stack scripts (sourced, not run).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN=${ALTREPO_RUN_DIR:-$ROOT/.run}
BIN=$ROOT/bin
GATEWAY_PORT=${ALTREPO_GATEWAY_PORT:-8080}
CH_PORT=${ALTREPO_CH_PORT:-19000}
CH_HTTP_PORT=${ALTREPO_CH_HTTP_PORT:-18123}
REDIS_PORT=${ALTREPO_REDIS_PORT:-16379}
NATS_PORT=${ALTREPO_NATS_PORT:-14222}
IDP_PORT=${ALTREPO_IDP_PORT:-8180}
DB_NAME=${ALTREPO_DB_NAME:-altrepo}
DATA_DIR=${ALTREPO_DATA_DIR:-$ROOT/../shared/data}
# name:port of every service process; the gateway is started last.
SERVICES="packages:8081 tasks:8082 bugs:8083 images:8084 auth:8085"

log() { printf '[altrepo] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

clickhouse_server_cmd() {
	if command -v clickhouse-server >/dev/null 2>&1; then echo clickhouse-server
	elif command -v clickhouse >/dev/null 2>&1; then echo "clickhouse server"
	else return 1; fi
}

# need_packages installs Debian packages for missing commands when root,
# otherwise says exactly what to install.
need_packages() {
	local missing=() pkgs=()
	clickhouse_server_cmd >/dev/null || { missing+=(clickhouse-server); pkgs+=(clickhouse-server clickhouse-client); }
	command -v redis-server >/dev/null || { missing+=(redis-server); pkgs+=(redis-server); }
	command -v nats-server >/dev/null || { missing+=(nats-server); pkgs+=(nats-server); }
	command -v go >/dev/null || [ -x /usr/local/go/bin/go ] || die "Go is not installed (need Go 1.26): see https://go.dev/doc/install"
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		log "installing ${pkgs[*]} from Debian's packages"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
	else
		die "missing ${missing[*]}; install them with: sudo apt-get install ${pkgs[*]}"
	fi
}

wait_http() { # url seconds
	local url=$1 deadline=$((SECONDS + $2))
	until curl -fsS -o /dev/null "$url" 2>/dev/null; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.3
	done
}

wait_port() { # port seconds
	local deadline=$((SECONDS + $2))
	until (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.3
	done
}

start_bg() { # name command...
	local name=$1; shift
	mkdir -p "$RUN/logs" "$RUN/pids"
	nohup "$@" >"$RUN/logs/$name.log" 2>&1 &
	echo $! >"$RUN/pids/$name.pid"
}

export PATH=$PATH:/usr/local/go/bin
