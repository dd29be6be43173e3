# Thin targets; the venv is created on first use. PYTHON can point at another interpreter.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test build validate lint bench clean

# build, validate (a Violation stops here, exit 1; warnings are printed for plan authors),
# then serve the graph on http://127.0.0.1:8000/ (SPARQL at /sparql; PORT=8080 for another port)
# until Ctrl-C
run: $(VENV)/.installed
	$(BIN)/cchc build
	$(BIN)/cchc validate --severity warning
	$(BIN)/cchc serve $(if $(PORT),--port $(PORT))

build: $(VENV)/.installed
	$(BIN)/cchc build

validate: build
	$(BIN)/cchc validate

# the Debian packages the tests use come first (tools/system-packages: apt-get as root or with
# sudo, else it stops and prints the command)
test: $(VENV)/.installed-dev
	tools/system-packages
	$(BIN)/pytest -q

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check cchc_graph tests bench
	$(BIN)/mypy

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/build.py
	$(BIN)/python bench/validate.py
	$(BIN)/python bench/queries.py
	$(BIN)/python bench/endpoint.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/abuse.py
	$(BIN)/python bench/formats.py
	$(BIN)/python bench/readers.py

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
