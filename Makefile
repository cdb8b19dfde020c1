# The two commands a new user types: `make demo` and `make test`. Both set up their own virtualenv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.installed-docs
SITE ?= build/site

.PHONY: demo test lint typecheck pytest docs docs-serve bench fuzz dist clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

$(DOCS_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

demo: $(STAMP)
	$(BIN)/python -m jitsi_secure.demo

# ruff, mypy --strict, the whole test suite (docs examples and the wheel included), then the docs site.
test: lint typecheck pytest docs

lint: $(STAMP)
	$(BIN)/ruff check jitsi_secure tests benchmarks ansible
	$(BIN)/ruff format --check jitsi_secure tests benchmarks ansible

typecheck: $(STAMP)
	$(BIN)/mypy --strict jitsi_secure

pytest: $(STAMP)
	HYPOTHESIS_PROFILE=ci HYPOTHESIS_STORAGE_DIRECTORY=$(CURDIR)/.hypothesis $(BIN)/pytest -q

# The documentation site (MkDocs, Material, API pages from the docstrings); warnings are errors.
docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir $(SITE)

docs-serve: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

# Every format's benchmark and the CLI's, each comparison in its own process; a Markdown report on stdout.
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Long fuzzing of every parser: FUZZ_EXAMPLES mutated files per format, random seeds (CI runs a small fixed set);
# then the random-edit differentials, DIFFERENTIAL_EXAMPLES edit batches per format judged by the real readers.
FUZZ_EXAMPLES ?= 20000
DIFFERENTIAL_EXAMPLES ?= 2000
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) HYPOTHESIS_PROFILE=dev HYPOTHESIS_STORAGE_DIRECTORY=$(CURDIR)/.hypothesis \
		$(BIN)/pytest -q -s -p no:cacheprovider tests/formats/test_fuzz.py --hypothesis-show-statistics --junitxml=build/fuzz.xml
	DIFFERENTIAL_EXAMPLES=$(DIFFERENTIAL_EXAMPLES) HYPOTHESIS_PROFILE=dev \
		$(BIN)/pytest -q -p no:cacheprovider tests/formats/test_edit_differential.py --junitxml=build/differential.xml

# An sdist and a wheel in dist/.
dist: $(STAMP)
	$(BIN)/python -m build --outdir dist

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis build dist site *.egg-info
