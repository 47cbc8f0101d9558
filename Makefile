# Circle: `make demo` to try it, `make test` to check it. Everything lives in .venv.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv install demo test lint typecheck layers pytest bench clean run

venv: $(BIN)/python
$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/circle demo

run: install
	$(BIN)/circle

lint: install
	$(BIN)/ruff check circle tui mail data tests bench

typecheck: install
	$(BIN)/mypy

layers: install
	$(BIN)/lint-imports

pytest: install
	$(BIN)/pytest

test: install
	$(BIN)/ruff check circle tui mail data tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache
