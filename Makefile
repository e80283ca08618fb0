# Two commands do all the set-up on a fresh machine:
#   make run    installs what the app needs into a local virtual environment and starts it
#   make test   installs the test tools too, checks the code (format, lint, types) and runs every test
#   make test-fast  the unit tests only (under a minute): the loop while editing; CI runs make test
#   make bench  installs and runs every benchmark (not a test; see docs/performance.md)
PYTHON ?= python3
# The app listens on this computer only; ADDRESS=0.0.0.0 opens it to the network (see README).
ADDRESS ?= 127.0.0.1
PORT    ?= 8501
VENV    ?= .venv
PY      := $(VENV)/bin/python
RUNTIME := $(VENV)/.installed-runtime
DEV     := $(VENV)/.installed-dev
# pytest and mypy workers: the suite is built to pass in parallel on a busy 2-core machine;
# mypy checks with a cold cache (a clean clone, CI) in 20 s instead of 35 s with two.
WORKERS ?= 2

.PHONY: install install-dev run test test-fast lint check docs bench clean

# Tests and benchmarks keep Python's compiled modules (__pycache__, ignored by git) even where
# the environment sets PYTHONDONTWRITEBYTECODE: otherwise every test worker, server and process
# they start compiles the project's code again, and pytest rewrites every test module again
# (collecting the tests: 7.4 CPU-s per worker, against 3.1). An empty value is "not set" to Python.
test test-fast lint bench: export PYTHONDONTWRITEBYTECODE :=

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME): requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV): requirements-dev.txt requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(RUNTIME)

install: $(RUNTIME)

install-dev: $(DEV)

# A crashed server is started again (deploy/supervise.sh); Ctrl-C stops it.
run: install
	umask 077 && deploy/supervise.sh $(PY) -m streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT)

lint: install-dev
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .
	$(PY) -m mypy --num-workers $(WORKERS)

test: lint
	$(PY) -m pytest -n $(WORKERS)

test-fast: install-dev
	$(PY) -m pytest -n $(WORKERS) -q -m unit

bench: install-dev
	$(PY) -m bench

check: install
	$(PY) -m decision check

# docs/checks.md: every content check with its messages and broken fixture (a test keeps it up to date)
docs: install
	PYTHONPATH=. $(PY) tests/checks_doc.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache tests/artifacts
