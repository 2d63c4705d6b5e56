#!/usr/bin/env bash
# Brings the whole suite up on loopback: ClickHouse, Redis, NATS, the
# development identity provider, schema, demo data, the five services and
# the gateway. Prints the gateway URL. `make down` stops it.
source "$(dirname "$0")/lib.sh"
need_packages
command -v curl >/dev/null || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; } || die "curl is missing: apt-get install curl"
"$ROOT/scripts/down.sh" >/dev/null 2>&1 || true
mkdir -p "$RUN"/{logs,pids,clickhouse/data,clickhouse/tmp,clickhouse/user_files,redis}

log "building binaries"
make -C "$ROOT" -s build

log "starting ClickHouse on 127.0.0.1:$CH_PORT"
cat >"$RUN/clickhouse/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$RUN/logs/clickhouse-server.log</log><errorlog>$RUN/logs/clickhouse-server.err.log</errorlog></logger>
  <tcp_port>$CH_PORT</tcp_port>
  <http_port>$CH_HTTP_PORT</http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$RUN/clickhouse/data/</path>
  <tmp_path>$RUN/clickhouse/tmp/</tmp_path>
  <user_files_path>$RUN/clickhouse/user_files/</user_files_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <timezone>UTC</timezone>
  <query_log><database>system</database><table>query_log</table><flush_interval_milliseconds>1000</flush_interval_milliseconds></query_log>
</yandex>
XML
cat >"$RUN/clickhouse/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles><default><allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type><log_queries>1</log_queries></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
# shellcheck disable=SC2046
start_bg clickhouse $(clickhouse_server_cmd) --config-file="$RUN/clickhouse/config.xml"
wait_port "$CH_PORT" 60 || die "ClickHouse did not start: see $RUN/logs/clickhouse*.log"

log "starting Redis on 127.0.0.1:$REDIS_PORT and NATS on 127.0.0.1:$NATS_PORT"
start_bg redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$RUN/redis"
start_bg nats nats-server -a 127.0.0.1 -p "$NATS_PORT"
wait_port "$REDIS_PORT" 20 || die "Redis did not start: see $RUN/logs/redis.log"
wait_port "$NATS_PORT" 20 || die "NATS did not start: see $RUN/logs/nats.log"

log "starting the development identity provider on 127.0.0.1:$IDP_PORT"
start_bg idp "$BIN/kcdev" -addr "127.0.0.1:$IDP_PORT" -base-url "http://127.0.0.1:$IDP_PORT"

cat >"$RUN/api.conf" <<CONF
[DATABASE]
HOST = 127.0.0.1
PORT = $CH_PORT
NAME = $DB_NAME
USER = default
PASSWORD =

[APPLICATION]
HOST = 127.0.0.1
CORS_ORIGINS = *

[OTHER]
ADMIN_USER = admin
# SHA-512 of "admin" (development only)
ADMIN_PASSWORD = c7ad44cbad762a5da0a452f9e854fdc1e0e7a52a38015f23f3eab1d80b931dd472634dfac71cd34ebc35d16ab7fb8a90c81f975113d6c7538dc69dd8de9077ec
LOG_LEVEL = INFO

[KEYCLOAK]
KEYCLOAK_SERVER_URL = http://127.0.0.1:$IDP_PORT
KEYCLOAK_REALM = altrepo
KEYCLOAK_CLIENT_ID = altrepo-api
KEYCLOAK_CLIENT_SECRET_KEY = altrepo-api-secret

[AUTHENTICATION]
TOKEN_STORAGE = redis

[REDIS]
REDIS_URL = redis://127.0.0.1:$REDIS_PORT/0

[SERVICES]
PACKAGES = http://127.0.0.1:8081
TASKS = http://127.0.0.1:8082
BUGS = http://127.0.0.1:8083
IMAGES = http://127.0.0.1:8084
AUTH = http://127.0.0.1:8085
CONF

log "applying the schema (fresh database $DB_NAME)"
clickhouse-client --port "$CH_PORT" -q "DROP DATABASE IF EXISTS $DB_NAME" || die "cannot reach ClickHouse on port $CH_PORT"
"$BIN/altrepo-migrate" -addr "127.0.0.1:$CH_PORT" -database "$DB_NAME" >"$RUN/logs/migrate.log" 2>&1 || die "schema failed: see $RUN/logs/migrate.log"

"$ROOT/scripts/seed.sh"

for svc in $SERVICES; do
	name=${svc%%:*} port=${svc##*:}
	[ -x "$BIN/altrepo-$name" ] || { log "skipping $name (not built)"; continue; }
	start_bg "$name" "$BIN/altrepo-$name" "$RUN/api.conf" -listen "127.0.0.1:$port"
done
for svc in $SERVICES; do
	name=${svc%%:*} port=${svc##*:}
	[ -x "$BIN/altrepo-$name" ] || continue
	wait_http "http://127.0.0.1:$port/healthz" 30 || die "$name did not start: see $RUN/logs/$name.log"
done
start_bg gateway "$BIN/altrepo-gateway" "$RUN/api.conf" -listen "127.0.0.1:$GATEWAY_PORT"
wait_http "http://127.0.0.1:$GATEWAY_PORT/api/version" 30 || die "gateway did not start: see $RUN/logs/gateway.log"

log "logs: $RUN/logs; stop with: make down"
echo "altrepo is up: http://127.0.0.1:$GATEWAY_PORT/api/  (OpenAPI: http://127.0.0.1:$GATEWAY_PORT/api/openapi.json)"
