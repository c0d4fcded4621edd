# The two commands of the README: `make run` and `make test`. Each installs what it needs.
VENV ?= .venv
BIN = $(VENV)/bin
PYTHON ?= python3

.PHONY: run test lint install install-test

$(BIN)/pip:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/pip
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/pip
	$(BIN)/pip install --quiet -e '.[test]'

run: install
	$(BIN)/kg build
	$(BIN)/kg serve

lint: install-test
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

test: install-test lint
	$(BIN)/pytest

# `make bench`: our endpoint side by side with oxigraph and rdflib-endpoint (bench/README.md).
# The peers go into their own venv; options for bench/run.py in BENCH_ARGS, e.g.
# make bench BENCH_ARGS="--sizes 10k 100k --include-1m"
.PHONY: bench bench-remote
bench-remote:
	$(MAKE) bench BENCH_ARGS="--remote $(BENCH_ARGS)"

bench: install
	test -x bench/.venv-peers/bin/pip || $(PYTHON) -m venv bench/.venv-peers
	bench/.venv-peers/bin/pip install --quiet --upgrade pip
	bench/.venv-peers/bin/pip install --quiet -r bench/requirements-peers.txt
	$(BIN)/python bench/run.py $(BENCH_ARGS)
