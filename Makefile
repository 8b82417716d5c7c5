# Bootstrap only: a pinned virtual environment and the npm packages, then hand over to `paper`.
# The build itself (what to re-run, in which order) is `paper build`, driven by doit.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: build test setup clean
build: setup
	$(BIN)/paper build
test: setup  # pytest's exit 5 (no tests collected) is a failure too
	$(BIN)/python -m pytest $(PYTEST_ARGS); code=$$?; \
	[ $$code -ne 5 ] || echo 'no tests were collected: failing' >&2; \
	exit $$([ $$code -eq 5 ] && echo 1 || echo $$code)
setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	$(BIN)/paper clean
