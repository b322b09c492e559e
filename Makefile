# needlebot's developer tasks. `make` alone lists them. The release binary is built only by
# scripts/build; CI runs .ci/run.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
OUT ?= bot
IMAGE ?= needlebot
FUZZTIME ?= 30s
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Every fuzz target, as package:Target. `make fuzz` fails when this list and the code disagree,
# so a new target can't be forgotten here.
FUZZ_TARGETS := \
	internal/commands:FuzzParse \
	internal/diary:FuzzRead \
	internal/diary:FuzzParseLog \
	internal/kb:FuzzNormalize \
	internal/kb:FuzzSearch \
	internal/schedule:FuzzParseClock \
	internal/schedule:FuzzParseDays \
	internal/schedule:FuzzLoadZone \
	internal/telegram:FuzzUpdate

.PHONY: help build test race lint bench fuzz fuzz-list docker ci

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "Variables: VERSION=$(VERSION) OUT=$(OUT) IMAGE=$(IMAGE) FUZZTIME=$(FUZZTIME)"

build: ## build the release binary with scripts/build (VERSION, OUT)
	VERSION='$(VERSION)' OUT='$(OUT)' scripts/build

test: ## run every test
	go test ./...

race: ## run every test with the race detector
	go test -race ./...

lint: ## gofmt (must list nothing), go vet and staticcheck
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go run $(STATICCHECK) ./...

bench: ## run every benchmark once, with allocations
	go test -run '^$$' -bench . -benchmem ./...

fuzz-list: # check that FUZZ_TARGETS names every fuzz target in the code, and nothing else
	@want=$$(for t in $(FUZZ_TARGETS); do echo "$$t"; done | sort); \
	got=$$(grep -r '^func Fuzz' --include='*_test.go' internal cmd 2>/dev/null \
		| sed -E 's#^(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]*).*#\1:\2#' | sort); \
	if [ "$$want" != "$$got" ]; then \
		echo "FUZZ_TARGETS in the Makefile is out of date (- listed, + in the code):"; \
		diff <(echo "$$want") <(echo "$$got") | grep '^[<>]' | sed 's/^</-/; s/^>/+/'; exit 1; \
	fi

fuzz: fuzz-list ## run each fuzz target for FUZZTIME (30s)
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== ./$$pkg $$name ($(FUZZTIME))"; \
		go test "./$$pkg" -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME); \
	done

docker: ## build the container image (IMAGE:VERSION and IMAGE:latest)
	docker build --build-arg VERSION='$(VERSION)' -t '$(IMAGE):$(VERSION)' -t '$(IMAGE):latest' .

ci: ## run CI's checks locally (.ci/run)
	./.ci/run
