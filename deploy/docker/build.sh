#!/bin/sh
# Build one altrepo binary for the container image (run by the Dockerfile's
# build stage from the workspace root; usable by hand as well):
#
#   deploy/docker/build.sh SERVICE OUTDIR
#
# SERVICE: gateway|packages|tasks|bugs|images|auth|migrate|seed|idp
# OUTDIR receives
#   bin/altrepo-<SERVICE>     the binary (static, CGO_ENABLED=0)
#   bin/altrepo               symlink to it (the image's fixed ENTRYPOINT)
#   bin/altrepo-healthcheck   the health probe (deploy/docker/healthcheck)
#   etc/altrepo-api/api.conf  deploy/api.conf.sample with [APPLICATION]
#                             HOST = 0.0.0.0 and PORT = the service's port
# Environment: GOOS/GOARCH for cross builds.
set -eu

SERVICE=${1:?usage: build.sh SERVICE OUTDIR}
OUT=${2:?usage: build.sh SERVICE OUTDIR}

case "$SERVICE" in
gateway) pkg=./gateway/cmd/altrepo-gateway port=8080 ;;
packages) pkg=./services/packages/cmd/altrepo-packages port=8081 ;;
tasks) pkg=./services/tasks/cmd/altrepo-tasks port=8082 ;;
bugs) pkg=./services/bugs/cmd/altrepo-bugs port=8083 ;;
images) pkg=./services/images/cmd/altrepo-images port=8084 ;;
auth) pkg=./services/auth/cmd/altrepo-auth port=8085 ;;
migrate) pkg=./tools/cmd/altrepo-migrate port= ;;
seed) pkg=./tools/cmd/altrepo-seed port= ;;
idp) pkg=./libs/kctest/cmd/altrepo-idp port=8180 ;;
*)
	echo "build.sh: unknown SERVICE '$SERVICE' (gateway|packages|tasks|bugs|images|auth|migrate|seed|idp)" >&2
	exit 2
	;;
esac

mkdir -p "$OUT/bin" "$OUT/etc/altrepo-api"
export CGO_ENABLED=0

go build -trimpath -ldflags='-s -w' -o "$OUT/bin/altrepo-$SERVICE" "$pkg"
ln -sf "altrepo-$SERVICE" "$OUT/bin/altrepo"

# The probe is its own module (standard library only), outside go.work.
(cd deploy/docker/healthcheck && GOWORK=off go build -trimpath -ldflags='-s -w' -o "$OUT/bin/altrepo-healthcheck" .)

# Container defaults: listen on all interfaces, on the service's port.
# Everything else stays as in the sample and is overridden by ALTREPO_* env.
awk -v port="$port" '
	/^[ \t]*\[/ { section = $0; gsub(/[ \t\[\]]/, "", section) }
	section == "APPLICATION" && /^HOST[ \t]*[=:]/ { print "HOST = 0.0.0.0"; next }
	section == "APPLICATION" && /^PORT[ \t]*[=:]/ && port != "" { print "PORT = " port; next }
	{ print }
' deploy/api.conf.sample >"$OUT/etc/altrepo-api/api.conf"
