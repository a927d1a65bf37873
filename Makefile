# Developer entry points. `make run` starts the whole stack; `make test` is what CI runs.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-containers lint audit docs bench clean

$(STAMP): setup.cfg pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint requirements.lock --editable '.[test,bench,docs]'
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

# The manual (docs/, mkdocs.yml) into site/; strict: a broken link or a page missing from the navigation fails.
# NO_MKDOCS_2_WARNING silences a banner the theme prints about its own future, not about this site.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

test: lint audit docs
	$(BIN)/pytest

# Both images built here and the stack's topology run from them (.ci/containers: Docker engine, base image, tests).
test-containers: $(STAMP)
	BIN=$(BIN) bash .ci/containers

# wrk is the load generator: a system package, not a Python one (`apt-get install wrk`); bench.run says so when missing.
bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var site .pytest_cache .ruff_cache
