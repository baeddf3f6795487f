# Two commands on a fresh machine with Python 3.11+:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet -e tests/sample_plugin
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/scheduler validate examples/ilecu.toml
	$(BIN)/scheduler solve examples/ilecu.toml -o out

test: $(STAMP)
	bash tests/setup_system.sh
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check scheduler plugins calendars tests benchmarks
	$(BIN)/ruff format --check scheduler plugins calendars tests benchmarks

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) out build dist *.egg-info
