# Developer entry points. `make run` starts the whole stack; `make test` is what CI runs.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-containers lint audit bench clean

$(STAMP): setup.cfg pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint requirements.lock --editable '.[test,bench]'
	touch $@

run: $(STAMP)
	$(BIN)/python -m devstack

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Needs PyPI's advisory data; reports and passes where that is not reachable (see .ci/audit).
audit: $(STAMP)
	BIN=$(BIN) bash .ci/audit

test: lint audit
	$(BIN)/pytest

# Both images built here and the stack's topology run from them (.ci/containers: Docker engine, base image, tests).
test-containers: $(STAMP)
	BIN=$(BIN) bash .ci/containers

# wrk is the load generator: a system package, not a Python one (`apt-get install wrk`); bench.run says so when missing.
bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
