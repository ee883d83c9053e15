# One target per habit. Every target installs what it needs from the project's own files.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
WEB_STAMP := web/node_modules/.installed

export PYTHONPATH := $(CURDIR)
export PYTHONDONTWRITEBYTECODE :=
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

PYTEST_ARGS ?=

.PHONY: install test lint format typecheck pytest migrate synth demo invoke upload token psql bench layer clean \
	web web-dev web-types web-types-check web-test web-e2e

install: $(STAMP) $(NODE_STAMP) $(WEB_STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(PY) --compile-bytecode -r pyproject.toml --extra dev
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

## test: everything CI runs: lint, types (Python, and the web app's generated API types), the
## web app's unit tests and build, the real `cdk synth` (layer bundled, cdk-nag), the browser
## tests against a real local stack, then pytest (PostgreSQL, moto, CDK, the local stack).
## Two jobs at a time (TEST_JOBS), one per core: mypy beside the other checks, then the browser
## tests beside pytest (each starts its own stack on free ports). Each job's output is printed
## whole when it ends; the first failure stops the run.
TEST_JOBS ?= 2
TEST_STEPS := typecheck lint web-types-check web-test web synth web-e2e pytest

test:
	@$(MAKE) --no-print-directory --jobs=$(TEST_JOBS) --output-sync=target install
	@$(MAKE) --no-print-directory --jobs=$(TEST_JOBS) --output-sync=target $(TEST_STEPS)

# What reads web/dist waits for its build when both are asked for (as `make test` does):
# the synthesized stack deploys it, the demo stack of the e2e tests serves it.
ifneq ($(filter web,$(MAKECMDGOALS)),)
synth pytest: | web
endif

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy $(wildcard shared functions infra layers local bench app.py)

pytest: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

## migrate: apply the migrations to $$DATABASE_URL (the runner the deploy uses).
migrate: $(STAMP)
	$(PY) -m shared.db.migrate

## synth: CDK synthesis with the pinned CLI (no AWS credentials or Docker needed).
synth: install
	npx --no-install cdk synth --quiet

## demo: the whole system on loopback (DEMO_DATA=none for an empty stack).
demo: $(STAMP) web
	$(PY) -m local.demo

## invoke: run a scheduled function of the running `make demo` now (FN=weekly_summary, ...).
invoke: $(STAMP)
	@$(PY) -m local.invoke $(FN)

## upload: upload a partner file to the running stack (FILE=...; none = a sample) and wait for its run.
upload: $(STAMP)
	@$(PY) -m local.upload $(FILE)

## token: print an access token of the running stack (EMAIL=... a demo client user; none = the admin).
token: $(STAMP)
	@$(PY) -m local.token $(EMAIL)

## psql: the bundled psql on the running stack's database (as its owner).
psql: $(STAMP)
	@$(PY) -m local.psql

## bench: performance benchmarks, printed as ratios against references run alongside.
bench: $(STAMP)
	$(PY) -m bench

## layer: build the shared Lambda layer (shared/ + runtime dependencies) without Docker.
layer: $(STAMP)
	$(PY) -m layers.build

## web: build the dashboard web app into web/dist (type check, then Vite).
web: $(WEB_STAMP)
	cd web && npx --no-install tsc -b && npx --no-install vite build

## web-dev: Vite's dev server; /api goes to the running `make demo` (its .local/stack.json).
web-dev: $(WEB_STAMP)
	cd web && npx --no-install vite

## web-types: regenerate web/src/api/schema.d.ts from the API's OpenAPI document.
web-types: $(STAMP) $(WEB_STAMP)
	$(PY) -c "import json; from shared.api.routes.meta import openapi_document; print(json.dumps(openapi_document(), indent=1, sort_keys=True))" > web/openapi.json
	cd web && npx --no-install openapi-typescript openapi.json -o src/api/schema.d.ts

## web-types-check: fail when schema.d.ts is not what the current API generates.
web-types-check: $(STAMP) $(WEB_STAMP)
	$(PY) -c "import json; from shared.api.routes.meta import openapi_document; print(json.dumps(openapi_document(), indent=1, sort_keys=True))" > web/openapi.json
	cd web && npx --no-install openapi-typescript openapi.json -o node_modules/.tmp/schema.d.ts >/dev/null \
	  && diff -q src/api/schema.d.ts node_modules/.tmp/schema.d.ts >/dev/null \
	  || { echo "web/src/api/schema.d.ts is stale: run 'make web-types' and commit it"; exit 1; }

## web-test: the web app's unit tests (vitest).
web-test: $(WEB_STAMP)
	cd web && npx --no-install vitest run

## web-e2e: Playwright in the system Chromium against a real local stack it starts itself.
web-e2e: $(STAMP) $(WEB_STAMP) web
	cd web && npx --no-install playwright test

clean:
	rm -rf $(VENV) node_modules web/node_modules web/dist cdk.out layers/build .local .mypy_cache .ruff_cache .hypothesis
