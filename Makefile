# The two commands a user needs: `make run` builds the example profile, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test lint bench serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	bash scripts/setup-system.sh run
	$(BIN)/pip install -q -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	bash scripts/setup-system.sh test
	bash scripts/setup-system.sh browser || echo "Chromium could not be installed: the browser tests will be skipped"
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/pcndocs build profiles/example.yaml --out output

# The web interface: a form, live checks, previews and downloads, at http://127.0.0.1:8765
serve: $(STAMP_RUN)
	$(BIN)/pcndocs serve $(SERVE_ARGS)

test: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Prints figures and writes benchmarks/RESULTS.md; e.g. make bench BENCH_ARGS="--quick --only startup"
BENCH_ARGS ?=
bench: $(STAMP_DEV)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) output build dist .pytest_cache .mypy_cache .ruff_cache
