# eightbyeight.dynamic_campaigns — developer and CI entry points.
#   make venv     create .venv (python3) with the toolchain from hack/requirements-dev.txt
#   make demo     run demo/playbook.yml against the simulator (demo fixture)
#   make test     run every suite below, print a timing table, fail if any suite failed
# Suites: lint units simulator-tests sanity ansible-lint integration galaxy-build
#   make integration TARGETS="campaign_info"   selects integration targets; make fmt reformats

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ROOT        := $(CURDIR)
PYTHON      ?= python3
VENV        ?= $(ROOT)/.venv
BIN         := $(VENV)/bin
VENV_STAMP  := $(VENV)/.requirements-dev.stamp
COLLECTIONS := $(ROOT)/build/collections
COPY        := $(COLLECTIONS)/ansible_collections/eightbyeight/dynamic_campaigns
# ansible-test probes python3.X on PATH; the pyenv shims for 3.12/3.13 are broken here, so the
# venv's bin goes first and every ansible-test call pins --python 3.11.
TOOL_PATH   := $(BIN):$(PATH)
SANITY_PY   ?= 3.11
LINT_DIRS   := plugins tests hack

SUITES      := lint units simulator-tests sanity ansible-lint integration galaxy-build

.PHONY: help venv demo test $(SUITES) collection-copy seed-get-pip fmt clean

help:
	@sed -n '2,7p' Makefile | sed 's/^# \{0,1\}//'

# ---------------------------------------------------------------- environment
venv: $(VENV_STAMP)

$(VENV_STAMP): hack/requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q --upgrade pip
	$(BIN)/python -m pip install --disable-pip-version-check -q -r hack/requirements-dev.txt
	@touch $@

seed-get-pip:
	@hack/seed-get-pip.sh

collection-copy:
	@hack/collection-copy.sh >/dev/null

# ---------------------------------------------------------------- entry points
test: venv
	@hack/run-suites.sh $(SUITES)

demo: venv
	@hack/demo.sh

fmt: venv
	$(BIN)/ruff format $(LINT_DIRS)
	$(BIN)/ruff check --fix $(LINT_DIRS)

# ---------------------------------------------------------------- suites
# ruff configuration (rules, mccabe max-complexity 10) lives in ruff.toml.
lint: venv
	@rc=0; echo "ruff check $(LINT_DIRS)"; $(BIN)/ruff check $(LINT_DIRS) || rc=1; \
	echo "ruff format --check $(LINT_DIRS)"; \
	$(BIN)/ruff format --check --output-format concise $(LINT_DIRS) || { rc=1; echo "lint: run 'make fmt' to reformat"; }; \
	exit $$rc

# Plain pytest against the synced copy; PYTHONPATH is the dir that holds ansible_collections/.
# pytest exits 5 when it collects no test, so an empty suite fails.
units: venv collection-copy
	cd $(COPY) && PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest -q -p no:cacheprovider tests/unit

simulator-tests: venv
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/simulator/tests

# Run from the physical copy (ansible-test needs .../ansible_collections/<ns>/<name> as cwd).
# --python 3.11 only: the other interpreters' pyenv shims are broken on these machines.
# No --skip-test: every sanity test ansible-test selects runs. A test that ansible-test skips
# because a tool is missing (shellcheck skips itself with only a warning) fails this target.
# hack/compile-check.sh adds a byte-compile of plugins/ on the other supported Pythons.
sanity: venv seed-get-pip collection-copy
	@rc=0; hack/compile-check.sh || rc=1; \
	echo "ansible-test sanity --venv --python $(SANITY_PY) (in $(COPY))"; \
	mkdir -p build/logs; \
	( cd $(COPY) && PATH=$(TOOL_PATH) $(BIN)/ansible-test sanity --venv --python $(SANITY_PY) --color no ) 2>&1 \
		| tee build/logs/sanity.log || rc=1; \
	if grep -E 'Required program "[^"]+" not found|Skipping sanity test' build/logs/sanity.log; then \
		echo "sanity: a sanity test was skipped for a missing tool (see above): install it"; rc=1; fi; \
	exit $$rc

# The playbooks (demo/) resolve the collection's own modules through the synced copy.
# ANSIBLE_HOME keeps ansible-lint's own install of the collection out of ~/.ansible/collections
# (a stale copy there would shadow the working tree for ansible-doc & co.).
ansible-lint: venv collection-copy
	ANSIBLE_HOME=$(ROOT)/build/ansible-lint-home ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) NO_COLOR=1 PATH=$(TOOL_PATH) $(BIN)/ansible-lint --profile production

integration: venv
	@VENV=$(VENV) TARGETS="$(TARGETS)" hack/integration.sh

# Build from the working tree (exercises build_ignore), check what went into the tarball,
# install it and verify the installed copy offline, and check ansible-builder finds requests.
galaxy-build: venv
	@VENV=$(VENV) hack/galaxy-build.sh

clean:
	rm -rf build tests/output .ansible
