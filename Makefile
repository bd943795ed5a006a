# Two set-up commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): requirements.txt requirements-dev.txt requirements-pywb.txt pyproject.toml
	test -x .venv-pywb/bin/python || $(PYTHON) -m venv .venv-pywb
	.venv-pywb/bin/pip install --quiet -r requirements-pywb.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/portal-archive demo --archive demo-archive

# Two pytest-xdist workers, one test file each at a time (--dist loadfile keeps a file's
# module-scoped crawls in one process): the suite took 13 min 23 s in one process and 9 min 2 s
# with two on these 2 cores (docs/benchmarks.md, "Test suite"), against a 15-minute budget.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .

# JupyterLab on the researchers' and auditors' notebooks (they find ./demo-archive themselves).
.PHONY: notebooks
notebooks: $(STAMP)
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .venv-pywb demo-archive .pytest_cache
