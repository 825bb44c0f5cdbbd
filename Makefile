# Everything builds from python3 + pip only.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run test typecheck bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/rapport

# pytest-xdist: every test is independent (its own tmp_path vault, its own app). Four workers
# on two cores: many tests wait (pilot pauses, subprocesses, a pty), and 4 kept both cores busy
# (app tests: 64 s with -n 4 vs 83 s with -n 2 on this 2-core machine).
test: $(TSTAMP)
	$(BIN)/python -m pytest -n 4
	$(BIN)/lint-imports

typecheck: $(TSTAMP)
	$(BIN)/python -m mypy

bench: $(TSTAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info
