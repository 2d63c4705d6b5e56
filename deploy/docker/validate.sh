#!/bin/sh
# Offline checks of the deployment files (no Docker engine or cluster needed).
# Run from the repository root: sh deploy/docker/validate.sh
# Uses python3 (+ PyYAML) always; promtool, yamllint and kustomize when installed
# (Debian: apt-get install python3-yaml prometheus yamllint).
set -eu
fail=0
say() { printf '%s\n' "$*"; }

say "== YAML/JSON parse"
python3 - <<'PY' || fail=1
import glob, json, sys
import yaml
files = ["docker-compose.yml"] + sorted(glob.glob("k8s/**/*.yaml", recursive=True)) \
    + sorted(glob.glob("deploy/prometheus/**/*.yml", recursive=True)) \
    + sorted(glob.glob("deploy/grafana/**/*.yml", recursive=True))
bad = 0
for f in files:
    try:
        list(yaml.safe_load_all(open(f)))
    except Exception as e:
        print("FAIL", f, e); bad += 1
for f in sorted(glob.glob("deploy/keycloak/*.json") + glob.glob("deploy/grafana/dashboards/*.json")):
    try:
        json.load(open(f))
    except Exception as e:
        print("FAIL", f, e); bad += 1
# realm roles must match the contract when it is available
try:
    lk = json.load(open("../shared/contract/lookup.json"))["auth"]
    realm = json.load(open("deploy/keycloak/altrepo-realm.json"))
    groups = {g["name"]: g["clientRoles"]["altrepo-api"] for g in realm["groups"]}
    for ag in lk["access_groups"]:
        if groups.get(lk["group_names"][ag][0]) != lk["group_roles"][ag]:
            print("FAIL realm group roles differ from lookup.json for", ag); bad += 1
except FileNotFoundError:
    pass
print("parsed", len(files), "YAML files" if not bad else "with %d failures" % bad)
sys.exit(1 if bad else 0)
PY

if command -v promtool >/dev/null 2>&1; then
	say "== promtool"
	tmp=$(mktemp)
	sed "s#/etc/prometheus/rules#$PWD/deploy/prometheus/rules#" deploy/prometheus/prometheus.yml >"$tmp"
	promtool check config "$tmp" || fail=1
	rm -f "$tmp"
	promtool test rules deploy/prometheus/tests/*.yml || fail=1
else
	say "(promtool not installed: skipped)"
fi

if command -v yamllint >/dev/null 2>&1; then
	say "== yamllint"
	yamllint -d '{extends: default, rules: {line-length: {max: 200}, document-start: disable, truthy: {check-keys: false}, comments: {min-spaces-from-content: 1}, brackets: {max-spaces-inside: 1}}}' \
		docker-compose.yml deploy/prometheus deploy/grafana k8s || fail=1
else
	say "(yamllint not installed: skipped)"
fi

if command -v kustomize >/dev/null 2>&1; then
	say "== kustomize build k8s"
	kustomize build k8s >/dev/null && say ok || fail=1
else
	say "(kustomize not installed: skipped)"
fi

[ "$fail" = 0 ] && say "all checks passed" || { say "some checks FAILED"; exit 1; }
