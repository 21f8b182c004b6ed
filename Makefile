# Thin wrappers around tasks.py (which needs nothing but Python >= 3.10).
PYTHON ?= python3

.PHONY: lab test notebooks setup bench lint
lab:
	$(PYTHON) tasks.py lab
test:
	$(PYTHON) tasks.py test
notebooks:
	$(PYTHON) tasks.py notebooks
setup:
	$(PYTHON) tasks.py setup
bench: setup
	.venv/bin/python benchmarks/run.py
lint: setup
	.venv/bin/python -m ruff check . && .venv/bin/python -m ruff format --check mlpops tests benchmarks tasks.py
