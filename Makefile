# Task list. Each target is one line that anyone can also type by hand; the README's two commands
# (install-and-run, test) are `make run` and `make test` on a fresh machine.
PY := .venv/bin/python

.PHONY: install run test quick lint format typecheck bench

install:  ## virtual environment with the runtime and development dependencies
	python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt

run:  ## the application (a demo database is built on first launch)
	python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/streamlit run app.py

test:  ## everything CI runs: the whole suite, real-browser tests, ruff and mypy included (tests/test_tidy.py)
	python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt && $(PY) -m pytest

quick:  ## the quick local loop: all tests but the real-browser ones
	$(PY) -m pytest -m "not browser"

lint:  ## ruff lint and format check, the layer test (also part of `make test`)
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && $(PY) -m pytest -q tests/test_layers.py

format:  ## reformat and fix what ruff can
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

typecheck:  ## mypy on essdash (strict on the domain, read and write layers)
	.venv/bin/mypy

bench:  ## performance figures of every page (prints, never fails on time)
	$(PY) -m essdash bench
