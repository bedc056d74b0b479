# The two commands in the README: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo sandbox test lint bench clean

# `-e .` installs the product and slack_sandbox, the local Slack of the demo, the sandbox page
# and the tests (the production image leaves it out: see the Dockerfile).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/onboardbot demo

sandbox: $(STAMP)
	$(BIN)/onboardbot sandbox $(if $(PORT),--port $(PORT)) $(if $(PLAYBOOK),--playbook $(PLAYBOOK))

# Test files run in TEST_WORKERS processes; a file stays in one (browser tests share a page).
TEST_WORKERS ?= 3

test: lint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

# Style, the layer contract (.importlinter) and types: `make test` runs these first, so CI does.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run

clean:
	rm -rf $(VENV) .pytest_cache onboardbot.db
