# Every target sets itself up: the virtual environment is created (or refreshed)
# whenever pyproject.toml or constraints.txt changed, and is stamped when done.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8080
SEED ?= 42

BASE_URL     ?=
API_KEY      ?= sk_test_contract
NAMESPACE    ?= contract-tests
RETRIEVER_ID ?=

FLAKE_RUNS    ?= 5
FLAKE_MODULES ?= tests/contracts tests/plugin tests/reliability tests/redis

.DEFAULT_GOAL := help
.PHONY: help install redis-server mock test flake-check soak contract-test generate lint format bench bench-tools clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
	PIP_CONSTRAINT=$(CURDIR)/constraints.txt $(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

install: $(STAMP) ## Create the virtual environment with pinned dependencies

mock: $(STAMP) ## Serve the mock on HOST:PORT (default 127.0.0.1:8080) with SEED
	$(PY) -m mixpeek_toolkit.mockserver --host $(HOST) --port $(PORT) --seed $(SEED) $(ARGS)

test: $(STAMP) redis-server ## Run every test
	$(PY) -m pytest -n auto

flake-check: $(STAMP) ## Run the slowest-to-settle suites FLAKE_RUNS (5) times in a row, stop at the first failure
	@for run in $$(seq 1 $(FLAKE_RUNS)); do \
		echo "== flake-check: run $$run of $(FLAKE_RUNS): $(FLAKE_MODULES)"; \
		$(PY) -m pytest -q -n 2 $(FLAKE_MODULES) \
			|| { echo "flake-check: run $$run of $(FLAKE_RUNS) FAILED"; exit 1; }; \
	done; \
	echo "flake-check: $(FLAKE_RUNS) of $(FLAKE_RUNS) runs passed"

soak: $(STAMP) ## Fuzz, load and properties at length (about 5 min, 127.0.0.1): reports/soak.json
	$(PY) -m tests.reliability.soak $(ARGS)

# The shared-store tests start a real redis-server (Debian's). As root it is installed when
# missing; otherwise those tests say how to install it and are skipped (outside CI only).
redis-server: ## Install Debian's redis-server and redis-tools when missing (as root)
	@if ! command -v redis-server >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing redis-server (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null; \
	fi
	@command -v redis-server >/dev/null 2>&1 || echo "redis-server is missing (not root): the Redis tests will be skipped, or fail in CI"

contract-test: $(STAMP) ## Verify a server (BASE_URL, API_KEY, NAMESPACE, RETRIEVER_ID, ARGS); no BASE_URL tests the local mock
	$(PY) -m mixpeek_toolkit.contracts $(if $(BASE_URL),--base-url "$(BASE_URL)") --api-key "$(API_KEY)" \
		--namespace "$(NAMESPACE)" $(if $(RETRIEVER_ID),--retriever-id "$(RETRIEVER_ID)") $(ARGS)

generate: $(STAMP) ## Regenerate generated/ from spec/openapi.yaml
	$(BIN)/datamodel-codegen

lint: $(STAMP) ## Lint and check formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Apply the formatter and safe lint fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) redis-server ## Benchmark the mock beside a bare endpoint and Prism: reports/bench.{md,json,png} (ARGS=--help)
	$(PY) -m benchmarks.bench $(ARGS)

bench-tools: $(STAMP) ## Install the bench's load generator (wrk, apt-get) and peer (Prism, npm)
	$(PY) -m benchmarks.tools

clean: ## Remove the environment and caches
	rm -rf $(VENV) .hypothesis .schemathesis reports dist build
