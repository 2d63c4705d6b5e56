#!/usr/bin/env bash
# Loads the demo data into the running local ClickHouse: the real ALT corpus
# from ../shared/data when present, a synthetic repository otherwise.
source "$(dirname "$0")/lib.sh"
[ -x "$BIN/altrepo-seed" ] || make -C "$ROOT" -s build
source=synthetic
[ -d "$DATA_DIR/specs" ] && source=real
log "loading $source demo data (ALTREPO_SEED_ARGS='${ALTREPO_SEED_ARGS:-}')"
# shellcheck disable=SC2086
"$BIN/altrepo-seed" -addr "127.0.0.1:$CH_PORT" -database "$DB_NAME" -source "$source" -data "$DATA_DIR" ${ALTREPO_SEED_ARGS:-} \
	2>&1 | tee "$RUN/logs/seed.log" | tail -40
[ "${PIPESTATUS[0]}" = 0 ] || die "seeding failed: see $RUN/logs/seed.log"
