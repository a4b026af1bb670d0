# Two commands do everything on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
# A CPU build of torch; set TORCH_SPEC (or install torch yourself first) for another build.
TORCH_SPEC ?= torch==2.13.0

.PHONY: demo test test-unit install docs lint clean

# Each stamp installs what its target needs: the demo only vaekit, the tests and the docs their extras.
$(VENV)/.torch:
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q "$(TORCH_SPEC)"
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.torch
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e ".[test]"
	touch $@

$(VENV)/.installed-docs: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e ".[docs]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/vaekit quickstart

test: $(VENV)/.installed-test
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/pytest -q

# The developers' lane: exact math on tiny tensors (tests/unit), under a minute. `make test`
# runs every tier (unit, contract, integration, browser), as CI does.
test-unit: $(VENV)/.installed-test
	$(VENV)/bin/pytest -q -m unit

# The documentation site, built offline into site/; --strict fails on a broken link or a warning.
docs: $(VENV)/.installed-docs
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check src tests

clean:
	rm -rf $(VENV) runs site .pytest_cache .ruff_cache
