# altrepo: the ALTRepo API as Go microservices. See README.md.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
MODULES := e2e libs gateway services/packages services/tasks services/bugs services/images services/auth tools deploy/schema
PKGS := $(MODULES:%=./%/...)
CONTRACT ?= ../shared/contract
PACKAGES_MODULES := package,packageset,dependencies,file,acl,license,export,site_package,site_packageset,site_pkgset_info,site_maintainer

# Binaries: name=main package. A main package that does not exist yet is skipped.
BINARIES := \
	altrepo-gateway=./gateway/cmd/altrepo-gateway \
	altrepo-packages=./services/packages/cmd/altrepo-packages \
	altrepo-tasks=./services/tasks/cmd/altrepo-tasks \
	altrepo-bugs=./services/bugs/cmd/altrepo-bugs \
	altrepo-images=./services/images/cmd/altrepo-images \
	altrepo-auth=./services/auth/cmd/altrepo-auth \
	altrepo-migrate=./tools/cmd/altrepo-migrate \
	altrepo-seed=./tools/cmd/altrepo-seed \
	kcdev=./libs/kctest/cmd/kcdev

.PHONY: up down seed test bench build generate fmt vet clean

## up: the whole suite with demo data on loopback; prints the gateway URL
up:
	@scripts/up.sh

## down: stop everything `make up` started
down:
	@scripts/down.sh

## seed: (re)load the demo data into the running local ClickHouse
seed:
	@scripts/seed.sh

## test: every test, against real ClickHouse, Redis and NATS servers
test:
	go test -count=1 -timeout 60m $(PKGS)

## bench: the benchmarks (ratios, measured in one run)
bench:
	go test -run '^$$' -bench . -benchmem -timeout 60m ./services/packages/... ./gateway/... ./libs/... ./tools/...

build:
	@mkdir -p bin
	@for b in $(BINARIES); do name=$${b%%=*}; pkg=$${b#*=}; \
		if [ -d "$$pkg" ]; then go build -o bin/$$name $$pkg || exit 1; else echo "skip $$name ($$pkg missing)"; fi; done

## generate: regenerate route and model declarations from the contract
generate:
	go run ./libs/api/apigen -contract $(CONTRACT) -modules $(PACKAGES_MODULES) -pkg contract -out services/packages/internal/contract

fmt:
	gofmt -w $(MODULES)

vet:
	go vet $(PKGS)

clean: down
	rm -rf bin .run
