# paykit: common tasks. `make help` lists them.
GO ?= go
PKGS := ./...
# FUZZTIME is how long `make fuzz` runs each fuzz target.
FUZZTIME ?= 60s

.PHONY: help demo sandbox test race vet fmt-check generate check-generate fuzz soak bench bench-peers ci

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

demo: ## Run the end-to-end demo of both families against an in-process sandbox
	$(GO) run ./cmd/paykit demo

sandbox: ## Serve the sandbox on 127.0.0.1:8080 for other services' tests (Ctrl-C stops it)
	$(GO) run ./cmd/paykit sandbox

test: vet fmt-check ## Vet, check formatting and run every test with the race detector
	$(GO) test -race -count=1 $(PKGS)

race: ## Run the tests with the race detector, several times
	$(GO) test -race -count=3 $(PKGS)

vet: ## go vet
	$(GO) vet $(PKGS)

fmt-check: ## Fail when gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

generate: ## Regenerate gen/ from the OpenAPI documents in api/
	$(GO) generate ./...

check-generate: generate ## Fail when the committed generated code differs from the documents
	@git diff --exit-code --stat -- gen || { echo "gen/ is stale: run 'make generate' and commit"; exit 1; }
	@untracked=$$(git ls-files --others --exclude-standard -- gen); \
	if [ -n "$$untracked" ]; then echo "untracked generated files:"; echo "$$untracked"; exit 1; fi

fuzz: ## Fuzz every fuzz target for FUZZTIME (default 60s), one after another (make test runs their seeds)
	@list=$$($(GO) test -list '^Fuzz' $(PKGS)) || { echo "$$list"; exit 1; }; \
	targets=$$(echo "$$list" | awk '/^Fuzz/ { names[n++] = $$1; next } /^ok[ \t]/ { for (i = 0; i < n; i++) print $$2 "@" names[i] } { n = 0 }'); \
	if [ -z "$$targets" ]; then echo "no fuzz targets found"; exit 1; fi; \
	for t in $$targets; do \
		pkg=$${t%@*}; name=$${t#*@}; \
		echo "== $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

soak: ## Run the chaos test at full size: 10,000 payments of both families under faults
	PAYKIT_SOAK=1 $(GO) test -count=1 -run TestChaos -v -timeout 30m ./internal/chaos/

bench: ## Run the benchmarks (BENCHMARKS.md figures: add -count 3 and take medians)
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./internal/bench/

bench-peers: ## Sandbox vs Prism and paykit vs mtn-momo, peers installed with npm into a scratch folder
	bash scripts/bench-peers/run.sh

ci: test check-generate ## What CI runs
