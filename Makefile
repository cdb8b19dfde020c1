# The two commands a new user types: `make demo` and `make test`. Both set up their own virtualenv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m jitsi_secure.demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check jitsi_secure tests benchmarks
	$(BIN)/ruff format --check jitsi_secure tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy --strict jitsi_secure

pytest: $(STAMP)
	HYPOTHESIS_PROFILE=ci HYPOTHESIS_STORAGE_DIRECTORY=$(CURDIR)/.hypothesis $(BIN)/pytest -q

bench: $(STAMP)
	@for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
