# The two commands a user needs: `make run` builds the example profile, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

LOCK_RUN := requirements/run.lock
LOCK_DEV := requirements/dev.lock
# The tool that writes the lock files (make upgrade); installing from them needs only pip.
UV_VERSION := 0.13.8
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --no-header --quiet

.PHONY: run test test-fast lint bench serve clean lock upgrade clauses

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Every package comes from the lock file, at the version and with the checksum it records, so
# the same inputs give the same documents byte for byte; pcndocs itself is installed without
# fetching anything more (its build backend, hatchling, is in the lock too).
$(STAMP_RUN): pyproject.toml $(LOCK_RUN) | $(BIN)/python
	bash scripts/setup-system.sh run
	$(BIN)/pip install -q --require-hashes -r $(LOCK_RUN)
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(STAMP_DEV): pyproject.toml $(LOCK_DEV) | $(BIN)/python
	bash scripts/setup-system.sh test
	bash scripts/setup-system.sh browser || echo "Chromium could not be installed: the browser tests will be skipped"
	$(BIN)/pip install -q --require-hashes -r $(LOCK_DEV)
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
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

# After changing a built-in template's clause: record its new version in pcndocs/data/clauses.yaml.
clauses: $(STAMP_RUN)
	$(BIN)/python scripts/update_clauses.py
# The unit tests alone (every test not marked e2e, national, slow or browser), for a quick
# check while working: under 20 s on an idle machine. `make test` runs them all.
test-fast: $(STAMP_DEV)
	$(BIN)/pytest -m "not (e2e or national or slow or browser)"

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Prints figures and writes benchmarks/RESULTS.md; e.g. make bench BENCH_ARGS="--quick --only startup"
BENCH_ARGS ?=
bench: $(STAMP_DEV)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# make lock: writes the lock files again after a change to pyproject.toml's dependencies,
# keeping every pin that still fits. make upgrade: the same with the newest releases allowed.
# Both install the result and run the lock and reproducibility tests; read the diff of
# requirements/ before committing it.
LOCK_UPGRADE ?=
lock: | $(BIN)/python
	$(BIN)/pip install -q uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml requirements/build.in $(LOCK_FLAGS) $(LOCK_UPGRADE) -o $(LOCK_RUN)
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --extra dev $(LOCK_FLAGS) $(LOCK_UPGRADE) -o $(LOCK_DEV)
	$(MAKE) $(STAMP_DEV)
	$(BIN)/pytest tests/test_lock.py tests/test_reproducible.py

upgrade:
	$(MAKE) lock LOCK_UPGRADE=--upgrade

clean:
	rm -rf $(VENV) output build dist .pytest_cache .mypy_cache .ruff_cache
