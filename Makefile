# The two commands of the README: `make run` and `make test`. Each installs what it needs.
# `make notebook` runs examples/notebook.ipynb against the server `make run` started.
VENV ?= .venv
BIN = $(VENV)/bin
PYTHON ?= python3

.PHONY: run test lint notebook install install-test install-notebook

$(BIN)/pip:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/pip
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/pip
	$(BIN)/pip install --quiet -e '.[test]'

install-notebook: $(BIN)/pip
	$(BIN)/pip install --quiet -e '.[notebook]'

# one command: checks the port is free (exit 2 if a server runs there), builds, serves
run: install
	$(BIN)/kg serve --build

# the notebook asks KG_ENDPOINT (default: the server of `make run`); the executed copy, with
# its tables and plot, is written to $(NOTEBOOK_OUT)/notebook.ipynb
KG_ENDPOINT ?= http://127.0.0.1:8080/sparql
NOTEBOOK_OUT ?= build
notebook: install-notebook
	@$(BIN)/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "?query=ASK%7B%7D", timeout=5)' '$(KG_ENDPOINT)' 2>/dev/null \
	  || { echo "error: no SPARQL endpoint answers at $(KG_ENDPOINT): start \`make run\` in another shell first" >&2; exit 2; }
	KG_ENDPOINT='$(KG_ENDPOINT)' $(BIN)/jupyter nbconvert --to notebook --execute \
	  --output-dir '$(NOTEBOOK_OUT)' examples/notebook.ipynb

lint: install-test
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

# the suite runs a test file per process (its servers stay its own), three processes on two
# cores: much of the suite waits (servers, browsers, deadlines); the slowest tests are listed
TEST_PROCESSES ?= 3
test: install-test lint
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile --durations=20

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

# `make bench-repeat`: a notebook re-running its cells, our endpoint (result cache on) against
# oxigraph serve in memory (bench/README.md, "Repeated work"); BENCH_ARGS e.g. "--size 1m"
.PHONY: bench-repeat
bench-repeat: install
	test -x bench/.venv-peers/bin/pip || $(PYTHON) -m venv bench/.venv-peers
	bench/.venv-peers/bin/pip install --quiet -r bench/requirements-peers.txt
	$(BIN)/python bench/repeat.py $(BENCH_ARGS)

# `make bench-extract`: the curator's assistant, each of the five curated documents left out in
# turn and drafted by `kg extract`'s pipeline (bench/README.md, "The curator's assistant"):
# one table of linking, facts, status, dates, curator effort and time; BENCH_ARGS="--verbose"
# lists the misses per document
.PHONY: bench-extract
bench-extract: install
	$(BIN)/kg build > /dev/null
	$(BIN)/python bench/extract.py $(BENCH_ARGS)

# `make bench-pages`: each page's weight (the page and its assets), requests, first paint and
# load in Debian's Chromium over loopback (bench/README.md, "Pages")
.PHONY: bench-pages
bench-pages: install-test
	$(BIN)/kg build > /dev/null
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

