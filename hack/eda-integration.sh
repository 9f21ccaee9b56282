#!/usr/bin/env bash
# `make eda-integration`: the example rulebook (docs/examples/eda) run by ansible-rulebook, with the
# collection's campaign_events source, against the simulator over HTTP while tests/eda/ changes the
# campaigns through the API. ansible-rulebook comes from its own venv (build/venvs/eda,
# hack/tool-venv.sh eda); the test itself runs with .venv's pytest. Prints its timing.
#
# Environment: VENV=<venv> whose pytest runs the test and whose python runs the simulator (default .venv).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(cd "${VENV:-${root}/.venv}" && pwd)"
started=${SECONDS}
# shellcheck source=hack/simulator.sh
source "${root}/hack/simulator.sh"
report() {
    local rc=$?
    sim_stop
    echo "eda-integration: $([[ ${rc} -eq 0 ]] && echo passed || echo "FAILED (rc=${rc})") in $((SECONDS - started))s"
}
trap report EXIT
trap 'exit 130' INT TERM

eda_venv="$("${root}/hack/tool-venv.sh" eda | tail -n 1)"
copy="$("${root}/hack/collection-copy.sh" | tail -n 1)"
command -v java >/dev/null || { echo "eda-integration: ansible-rulebook needs Java 17 (openjdk-17-jre-headless)" >&2; exit 1; }

sim_start "${root}/tests/eda/fixture.yml"
echo "eda-integration: $("${eda_venv}/bin/ansible-rulebook" --version | head -n 1)"

EDA_VENV="${eda_venv}" EDA_COLLECTIONS="${copy%/ansible_collections/*}" EDA_EXAMPLES="${copy}/docs/examples" \
    SIM_URL="${SIM_URL}" SIM_LOG="${SIM_LOG}" \
    "${venv}/bin/python" -m pytest -q -p no:cacheprovider "${root}/tests/eda"
