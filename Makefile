# Two commands do everything on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
# A CPU build of torch; set TORCH_SPEC (or install torch yourself first) for another build.
TORCH_SPEC ?= torch==2.13.0

.PHONY: demo test test-unit install lint clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q "$(TORCH_SPEC)"
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/vaekit quickstart

test: install
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/pytest -q

# The developers' lane: exact math on tiny tensors (tests/unit), under a minute. `make test`
# runs every tier (unit, contract, integration, browser), as CI does.
test-unit: install
	$(VENV)/bin/pytest -q -m unit

lint: install
	$(VENV)/bin/ruff check src tests

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
