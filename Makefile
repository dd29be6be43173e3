# Thin targets; the venv is created on first use. PYTHON can point at another interpreter.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test build lint bench clean

run: $(VENV)/.installed
	$(BIN)/cchc build

build: $(VENV)/.installed
	$(BIN)/cchc build

test: $(VENV)/.installed-dev
	$(BIN)/pytest -q

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check cchc_graph tests bench
	$(BIN)/mypy

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/build.py

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@ $(VENV)/.installed

clean:
	rm -rf data/build .pytest_cache .mypy_cache .ruff_cache
