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
