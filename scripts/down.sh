#!/usr/bin/env bash
# Stops every process `make up` started (data stays in .run until removed).
source "$(dirname "$0")/lib.sh"
[ -d "$RUN/pids" ] || { log "nothing is running"; exit 0; }
for f in "$RUN"/pids/*.pid; do
	[ -e "$f" ] || continue
	pid=$(cat "$f")
	if kill "$pid" 2>/dev/null; then
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
		log "stopped $(basename "$f" .pid)"
	fi
	rm -f "$f"
done
