# news-incident-pipeline: `make run` then `make test` from a fresh clone.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test lint bench check clean schema eval fuzz

setup: $(STAMP)

# uv comes from its own hash-pinned lock; every dependency is installed with hashes required,
# and byte-compiled at install: where PYTHONDONTWRITEBYTECODE is set (it is on our dev machines) every
# run would otherwise compile spaCy and its stack again, about 6 s of start-up per command.
# requirements.lock holds the dev and dask extras (the Dask engine's tests run in CI); regenerate it with
#   $(BIN)/uv pip compile pyproject.toml --extra dev --extra dask --generate-hashes --no-header \
#       --python-version 3.11 -o requirements.lock
$(STAMP): requirements.lock requirements-uv.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-uv.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes --compile-bytecode -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: setup
	mkdir -p out
	$(BIN)/incidents extract fixtures -o out/incidents.jsonl --db out/incidents.sqlite

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check pipeline extractors schemas tests bench scripts
	$(BIN)/ruff format --check pipeline extractors schemas tests bench scripts
	$(BIN)/mypy
	$(BIN)/python scripts/check_eval_leak.py

# 10,000 distinct generated inputs or more (2,800 examples per generator, Hypothesis repeats a few;
# no time box) through read -> clean -> extract;
# `make test` runs a 60-second slice of the same tests (tests/fuzz).
fuzz: setup
	FUZZ_EXAMPLES=2800 FUZZ_SECONDS=0 $(BIN)/python -m pytest -q -p no:cacheprovider tests/fuzz

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/cluster.py
	$(BIN)/python bench/review.py
	$(BIN)/python bench/engines.py

check: lint test

# Every development set in ../shared/eval scored at once, one table (scripts/evaluate.py).
eval: setup
	$(BIN)/python scripts/evaluate.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .mypy_cache

schema: setup
	$(BIN)/python scripts/export_schema.py
