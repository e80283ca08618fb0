# Two commands do all the set-up on a fresh machine:
#   make run    installs into a local virtual environment and starts the app
#   make test   installs and runs every test
#   make bench  installs and runs every benchmark (not a test; see docs/performance.md)
PYTHON ?= python3
# The app listens on this computer only; ADDRESS=0.0.0.0 opens it to the network (see README).
ADDRESS ?= 127.0.0.1
PORT    ?= 8501
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run test check bench clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

run: install
	umask 077 && $(PY) -m streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT)

test: install
	$(PY) -m pytest

bench: install
	$(PY) -m bench

check: install
	$(PY) -m decision check

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis tests/artifacts
