# One target per habit. Every target installs what it needs from the project's own files.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

export PYTHONPATH := $(CURDIR)
export PYTHONDONTWRITEBYTECODE :=
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

PYTEST_ARGS ?=

.PHONY: install test lint format typecheck pytest migrate synth demo invoke upload token psql bench layer clean

install: $(STAMP) $(NODE_STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(PY) --compile-bytecode -r pyproject.toml --extra dev
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

## test: everything CI runs (lint, types, tests including CDK synthesis and the local stack,
## then the real `cdk synth` with the layer bundled and cdk-nag).
test: install lint typecheck synth pytest

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
demo: $(STAMP)
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

clean:
	rm -rf $(VENV) node_modules cdk.out layers/build .local .mypy_cache .ruff_cache .hypothesis
