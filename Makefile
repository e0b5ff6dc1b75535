PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-superset dev lint format bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "chitieu needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	mkdir -p var/inbox && cp -R -n -p sources/inbox/. var/inbox/
	$(BIN)/chitieu run --demo

test: $(STAMP)
	$(BIN)/pytest -q -n 2

# a real Superset imports the dashboard bundle (tests/test_superset.py); its venv is cached in var/ci
test-superset: $(STAMP)
	$(BIN)/pytest -q -m superset tests/test_superset.py

# dagster dev loads .env from its working directory over the environment, DAGSTER_HOME included:
# it runs from var/dagster_home with a copy of .env without DAGSTER_HOME, and CHITIEU_ROOT makes
# relative paths in .env mean the same as for `chitieu run` from the project folder. Dagster takes
# a module location's working_directory from its own working directory, not the workspace file's
# folder: it reads a copy of workspace.yaml there whose working_directory is the project folder.
dev: $(STAMP)
	mkdir -p var/dagster_home && cp dagster.yaml var/dagster_home/dagster.yaml
	if [ -f .env ]; then grep -Ev '^[[:space:]]*(export[[:space:]]+)?DAGSTER_HOME[[:space:]]*=' .env > var/dagster_home/.env || true; else rm -f var/dagster_home/.env; fi
	sed 's|^\([[:space:]]*working_directory:\).*$$|\1 "$(CURDIR)"|' workspace.yaml > var/dagster_home/workspace.yaml
	cd var/dagster_home && DAGSTER_HOME=$(CURDIR)/var/dagster_home CHITIEU_ROOT=$(CURDIR) $(CURDIR)/$(BIN)/dagster dev -w $(CURDIR)/var/dagster_home/workspace.yaml

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) var .pytest_cache
