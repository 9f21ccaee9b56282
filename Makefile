# eightbyeight.dynamic_campaigns — developer and CI entry points.
#   make venv     create .venv (python3) with the toolchain from hack/requirements-dev.txt
#   make demo     run demo/playbook.yml against the simulator (demo fixture), in its own small venv
#   make demo-gitops  run docs/examples/gitops against the simulator: drift report, apply, apply again
#   make test     run every suite below (two lanes side by side; LANES=1 for one), print a timing
#                 table, fail if any suite failed
#   make docs     build the HTML docs site into build/docs/html/ (antsibull-docs + Sphinx, offline)
#   make changelog  release galaxy.yml's version into changelogs/changelog.yaml + CHANGELOG.rst/.md
# Suites: lint hack-tests units model simulator-tests sanity ansible-lint docs-lint changelog-lint docs
#   integration demo-gitops bench-smoke
#   matrix-venvs units-core2.16 units-core2.21 integration-matrix sanity-core2.21 galaxy-build
#   tool-venvs eda-integration galaxy-importer
#   (integration-matrix = integration-core2.16 + integration-core2.21 in parallel, own copies)
#   make integration TARGETS="campaign_info"   selects integration targets; make fmt reformats
# Support matrix (hack/matrix.sh): .venv = ansible-core 2.19 / Python 3.11; build/venvs/core2.16 =
#   2.16 / 3.11; build/venvs/core2.21 = 2.21 (newest) / 3.13. `make matrix-venvs` creates them.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ROOT        := $(CURDIR)
PYTHON      ?= python3
VENV        ?= $(ROOT)/.venv
BIN         := $(VENV)/bin
VENV_STAMP  := $(VENV)/.requirements-dev.stamp
# The demos' venv: hack/requirements-demo.txt only (hack/demo-venv.sh).
DEMO_VENV   ?= $(ROOT)/build/venvs/demo
COLLECTIONS := $(ROOT)/build/collections
COPY        := $(COLLECTIONS)/ansible_collections/eightbyeight/dynamic_campaigns
# The sanity runs' own copy: they run beside integration, which writes into tests/output of its copy.
SANITY_COPY := $(ROOT)/build/sanity/collections
# ansible-test probes python3.X on PATH; the pyenv shims for 3.12/3.13 are broken here, so the
# venv's bin goes first and every ansible-test call pins --python 3.11.
TOOL_PATH   := $(BIN):$(PATH)
LINT_DIRS   := plugins extensions tests hack

# Support-matrix entries besides .venv (see hack/matrix.sh).
MATRIX      := core2.16 core2.21
MATRIX_VENVS := $(ROOT)/build/venvs
# Integration targets of each matrix entry (2.19, `make integration`, runs every target). Neither runs the
# three that exercise the bulk engine's timing under faults, signals and rate limits, nor bad_input: they test
# the collection's own Python, which does not change with ansible-core. 2.16 (templating before 2.19's
# changes) runs the module targets and the role's main target; 2.21 (the templating of
# 2.19) runs the module targets. TARGETS="..." runs the given targets on every entry instead.
MATRIX_MODULE_TARGETS := campaign_info campaign_status campaign_customer campaigns_v1 customer_declared_state security tls
MATRIX_TARGETS_core2.16 ?= $(MATRIX_MODULE_TARGETS) campaign_lifecycle_role
MATRIX_TARGETS_core2.21 ?= $(MATRIX_MODULE_TARGETS)

# `make test` runs two lanes side by side (hack/run-suites.sh): SUITES one after another, and
# SUITES_LANE2 one after another beside them (their output is printed whole as each ends). The
# lanes share no venv under creation or ~/.ansible/test venv (both sanity runs are in the second lane, in a
# collection copy of their own, build/sanity/). `make test LANES=1` runs everything in one lane.
SUITES      := lint hack-tests units model docs-lint changelog-lint docs integration
SUITES_LANE2 := matrix-venvs integration-matrix $(addprefix units-,$(MATRIX)) galaxy-build \
               tool-venvs eda-integration galaxy-importer ansible-lint simulator-tests demo-gitops bench-smoke \
               sanity sanity-core2.21
LANES       ?= 2

.PHONY: help venv demo-venv demo demo-gitops test bench $(SUITES) $(SUITES_LANE2) integration-matrix $(addprefix units-,$(MATRIX)) $(addprefix integration-,$(MATRIX)) \
        $(addprefix sanity-,$(MATRIX)) $(addprefix matrix-venv-,$(MATRIX)) changelog collection-copy seed-get-pip fmt clean tool-venvs

help:
	@sed -n '2,17p' Makefile | sed 's/^# \{0,1\}//'

# ---------------------------------------------------------------- environment
venv: $(VENV_STAMP)

$(VENV_STAMP): hack/requirements-dev.txt hack/requirements-demo.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q --upgrade pip
	$(BIN)/python -m pip install --disable-pip-version-check -q -r hack/requirements-dev.txt
	@touch $@

demo-venv:
	@DEMO_VENV=$(DEMO_VENV) hack/demo-venv.sh >/dev/null

seed-get-pip:
	@hack/seed-get-pip.sh

matrix-venvs: $(addprefix matrix-venv-,$(MATRIX))

$(addprefix matrix-venv-,$(MATRIX)): matrix-venv-%:
	@hack/matrix.sh venv $* >/dev/null

collection-copy:
	@hack/collection-copy.sh >/dev/null

# Tools whose dependencies would move the dev toolchain get venvs of their own (build/venvs/eda: ansible-rulebook;
# build/venvs/importer: galaxy-importer), from hack/requirements-<name>.txt.
tool-venvs:
	@hack/tool-venv.sh eda >/dev/null && hack/tool-venv.sh importer >/dev/null

# ---------------------------------------------------------------- entry points
test: venv
	@hack/run-suites.sh $(SUITES) $(if $(filter 1,$(LANES)),,--) $(SUITES_LANE2)

# The demos need only python3, git and make on a fresh machine: their venv holds ansible-core,
# requests and the simulator's aiohttp and pyyaml (`.ci/run` checks it from a fresh clone).
demo: demo-venv
	@VENV=$(DEMO_VENV) hack/demo.sh

demo-gitops: demo-venv
	@VENV=$(DEMO_VENV) hack/demo-gitops.sh

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

# Model-based tests: hypothesis state machines drive the real bulk engine against the real simulator
# under random faults and interruptions (tests/model/). MODEL_EXAMPLES bounds the time (~1 s each).
MODEL_EXAMPLES ?= 100
model: venv collection-copy
	cd $(COPY) && MODEL_EXAMPLES=$(MODEL_EXAMPLES) PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest -q -p no:cacheprovider -W ignore::pytest.PytestUnhandledThreadExceptionWarning tests/model

simulator-tests: venv
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/simulator/tests

# The tests of hack/'s own python (the collection copy).
hack-tests: venv
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/hack

# Run from the physical copy (ansible-test needs .../ansible_collections/<ns>/<name> as cwd), with
# .venv's ansible-test (2.19, Python 3.11); sanity-core2.21 runs the newest ansible-core on Python 3.13.
# hack/compile-check.sh adds a byte-compile of plugins/ on the other supported Pythons.
sanity: venv seed-get-pip
	@rc=0; hack/compile-check.sh || rc=1; COLLECTIONS_ROOT=$(SANITY_COPY) VENV=$(VENV) hack/sanity.sh || rc=1; exit $$rc

$(addprefix sanity-,$(MATRIX)): sanity-%: seed-get-pip matrix-venv-%
	@COLLECTIONS_ROOT=$(SANITY_COPY) VENV=$(MATRIX_VENVS)/$* hack/sanity.sh

# The playbooks (demo/) resolve the collection's own modules through the synced copy.
# ANSIBLE_HOME keeps ansible-lint's own install of the collection out of ~/.ansible/collections
# (a stale copy there would shadow the working tree for ansible-doc & co.).
ansible-lint: venv collection-copy
	ANSIBLE_HOME=$(ROOT)/build/ansible-lint-home ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) NO_COLOR=1 PATH=$(TOOL_PATH) $(BIN)/ansible-lint --profile production

integration: venv
	@VENV=$(VENV) TARGETS="$(TARGETS)" hack/integration.sh

# The support matrix: the same unit tests and integration targets with another ansible-core/Python.
$(addprefix units-,$(MATRIX)): units-%: venv matrix-venv-% collection-copy
	@start=$$SECONDS; venv=$(MATRIX_VENVS)/$*; rc=0; \
	echo "units on $$($$venv/bin/ansible --version | head -n 1), $$($$venv/bin/python --version)"; \
	( cd $(COPY) && PYTHONPATH=$(COLLECTIONS) $$venv/bin/python -m pytest -q -p no:cacheprovider tests/unit ) || rc=$$?; \
	echo "units-$*: $$( ((rc == 0)) && echo passed || echo FAILED) in $$((SECONDS - start))s"; exit $$rc

$(addprefix integration-,$(MATRIX)): integration-%: venv matrix-venv-%
	@VENV=$(MATRIX_VENVS)/$* SIM_VENV=$(VENV) TARGETS="$(or $(TARGETS),$(MATRIX_TARGETS_$*))" hack/integration.sh

# Every matrix entry's integration at once, each in its own collection copy (build/matrix/<name>/).
integration-matrix: venv seed-get-pip
	@SIM_VENV=$(VENV) TARGETS="$(TARGETS)" $(foreach entry,$(MATRIX),TARGETS_$(subst .,_,$(entry))="$(MATRIX_TARGETS_$(entry))") \
		hack/matrix-integration.sh $(MATRIX)

# ansible-doc, ansible-doc -t role and antsibull-docs lint-collection-docs.
docs-lint: venv
	@VENV=$(VENV) hack/docs-lint.sh

changelog-lint: venv
	@VENV=$(VENV) hack/changelog.sh lint

changelog: venv
	@VENV=$(VENV) hack/changelog.sh release

# The HTML site: build/docs/html/index.html. Needs graphviz's `dot` (.ci/run installs it).
docs: venv
	@VENV=$(VENV) hack/docs.sh

# Benchmark of campaign_customer against the simulator (docs/performance.md). Prints figures; fails
# only on wrong counts. Default 100,000 records; make bench BENCH_ARGS="--records 1m" (or 5m,
# --latency-ms 50, --rate-limit 50, --repeat 3; --parallel 4 --rate-limit 50 runs 4 tasks of one tenant beside
# one task alone; --v1 the Campaigns API v1 beside plain requests; tests/bench/run.py --help lists them).
bench: venv
	PATH=$(TOOL_PATH) $(BIN)/python tests/bench/run.py $(BENCH_ARGS)

# The small bench run inside `make test` (~20 s), so the benchmark cannot rot.
BENCH_SMOKE_ARGS ?= --records 20k --uri-requests 3 --status-repeat 3
BENCH_SMOKE_V1_ARGS ?= --v1 --records 20k
bench-smoke: venv
	PATH=$(TOOL_PATH) $(BIN)/python tests/bench/run.py $(BENCH_SMOKE_ARGS)
	PATH=$(TOOL_PATH) $(BIN)/python tests/bench/run.py $(BENCH_SMOKE_V1_ARGS)

# Build from the working tree (exercises build_ignore), check what went into the tarball,
# install it into a clean path and verify it offline, check ansible-builder finds requests, run
# ansible-lint (production) on the installed role and one integration run from the installed copy.
galaxy-build: venv seed-get-pip
	@VENV=$(VENV) hack/galaxy-build.sh

# The example rulebook (docs/examples/eda) run by ansible-rulebook with the campaign_events source against the
# simulator, while tests/eda/ changes the campaigns through the API (Java 17 for the rule engine).
eda-integration: venv
	@VENV=$(VENV) hack/eda-integration.sh

# galaxy-importer (Galaxy's and Automation Hub's import checks) on the built tarball: no error, no warning.
galaxy-importer: venv
	@VENV=$(VENV) hack/galaxy-importer.sh

clean:
	rm -rf build tests/output .ansible
