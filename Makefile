# paykit: common tasks. `make help` lists them.
GO ?= go
PKGS := ./...

.PHONY: help demo sandbox test race vet fmt-check generate check-generate fuzz bench ci

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

fuzz: ## Run the fuzz targets on their seed corpora
	$(GO) test -count=1 -run '^Fuzz' $(PKGS)

bench: ## Run the benchmarks
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

ci: test check-generate ## What CI runs
