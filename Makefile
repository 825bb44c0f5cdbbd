# Everything builds from python3 + pip only.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run test browser-test typecheck bench lint clean man install

$(BIN)/python:
	@echo "rapport: creating $(VENV), Rapport's own environment (first run only)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# pip's own lines are the progress of the first run (20-30 s), so they are not hidden.
$(STAMP): pyproject.toml | $(BIN)/python
	@echo "rapport: installing Rapport and its dependencies into $(VENV)"
	$(BIN)/python -m pip install --disable-pip-version-check -e .
	touch $@
	@echo "rapport: installed; the command is $(BIN)/rapport ('make install' puts it on your PATH)"

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/rapport

# pytest-xdist: every test is independent (its own tmp_path vault, its own app). Five workers
# on two cores: many tests wait (pilot pauses, subprocesses, a pty), and more workers keep both
# cores busy (app tests: 64 s with -n 4 vs 83 s with -n 2 on this 2-core machine; the whole
# suite at stop 30, back to back: 2:47 and 2:55 with -n 5, 3:13 with -n 4, 3:29 with -n 3).
# Idle workers steal queued tests (--dist worksteal: 2:53 against 3:01 for two tests sent at a
# time, back to back), and the app's tests go first (tests/conftest.py): the workers end together.
# Bytecode, where PYTHONDONTWRITEBYTECODE is set (this machine's CI sets it) and nothing else
# writes it: Rapport's modules are compiled once (each of the suite's ~400 `rapport` processes
# compiled every module again: 30% of the command tests' CPU), and one collection with bytecode
# on leaves pytest's rewritten test modules cached (a worker's collection: 5.6 -> 2.0 s). That
# collection runs beside mypy, which uses one core.
# The suite is CPU-bound (~330 s of CPU on two cores; ~3/4 of it Pilot-driven app tests, whose
# cost is mostly Textual styling and drawing the screens they open). Stop 32 (2026-12-07): CI's
# pytest took 3:19; the app's own restyles were cut (see git log 37f9aef, 659860f, 17c408b) and
# same-state tests merged; on a quiet machine, a fresh clone's `make test` 3:32 with pip's
# install, pytest 3:03: still over the 3-minute line. Stop 33: tests merged and command checks
# run several to a process (tests/clitools.py rapport_each), Textual's drawn-lines cache cleared
# after each test (tests/conftest.py): a fresh clone's install 17 s, then `make test` 2:34
# (pytest 2:27), 2:51 in all; pytest took 2:27-2:52 over five fresh clones in one hour. Stop 34:
# the store fixture copies a vault made once a process, each CSS source is parsed once a process
# (tui/textual_compat.share_parsed_css, called by the tests alone), 12 same-state app runs merged:
# back to back, 41 app/session/store test files 179.5 -> 140.9 s of CPU. A fresh clone, in an
# hour this machine ran 20-40% slower than earlier (the bench's floors too): install 22 s, then
# `make test` 2:36 (pytest 2:32), 2:58 in all; two CI runs' pytest 2:43 and 2:54, which with the
# install would be ~3:10-3:20: still at the line, and over it on this machine's slow hours.
# Stop 35: 15 command checks moved into `rapport` processes that run anyway (104 -> 89 of them),
# three same-state app runs merged into one. Measured only with -n 2 on this machine shared with another
# helper, back to back: the whole suite 267 -> 246 s of CPU, 4:41 -> 4:21; main's own runs in that
# hour varied 235-267 s and 4:10-4:41, so most of that is noise, and -n 5 was not measured.
test: $(TSTAMP)
	$(BIN)/python -m compileall -q tui store guides
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest --collect-only -q >/dev/null 2>&1 & \
	$(BIN)/python -m mypy; status=$$?; wait; exit $$status
	$(BIN)/python -m pytest -n 5 --dist worksteal
	$(BIN)/lint-imports

# rapport serve in headless chromium (apt-get install -y chromium); not part of `make test`.
browser-test: $(TSTAMP)
	$(BIN)/python -m pytest tests/browser_serve.py

typecheck: $(TSTAMP)
	$(BIN)/python -m mypy

bench: $(TSTAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info

# Rapport on your PATH in an environment of its own (pipx, else uv), never in a shared one: its
# packages are called tui, store and guides, and another package of one of those names in the
# same environment would break it. Run it again after an update.
install:
	@if command -v pipx >/dev/null 2>&1; then \
	    echo "rapport: pipx install --force ."; pipx install --force .; \
	elif command -v uv >/dev/null 2>&1; then \
	    echo "rapport: uv tool install --force --reinstall ."; uv tool install --force --reinstall .; \
	else \
	    echo "make install needs pipx (or uv). Get pipx with your package manager (apt install pipx," \
	         "brew install pipx) or '$(PYTHON) -m pip install --user pipx', then run 'pipx ensurepath'" \
	         "and open a new terminal." >&2; \
	    exit 1; \
	fi

# The man page, from the click commands (tests/test_cli_manpage.py checks it is up to date).
man: $(STAMP)
	$(BIN)/python -m tui.manpage docs/rapport.1
