#!/usr/bin/env bash
# `make demo`: sync the collection copy, start the simulator with the demo fixture (port 8808 when
# free, else any free port), run demo/playbook.yml against it, always stop the simulator.
# VENV: the venv whose ansible-playbook and python run (make demo passes build/venvs/demo).
set -euo pipefail
# The demo venv is installed without byte-compiling (hack/demo-venv.sh): let python cache what it imports.
unset PYTHONDONTWRITEBYTECODE

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-${root}/.venv}"
fixture="${root}/tests/simulator/fixtures/demo.yml"
# shellcheck source=hack/simulator.sh
source "${root}/hack/simulator.sh"
trap sim_stop EXIT
trap 'exit 130' INT TERM

# The copy runs while the simulator starts.
"${root}/hack/collection-copy.sh" >/dev/null &
copy_pid=$!
sim_start "${fixture}" 8808
wait "${copy_pid}"

# Credentials come from the demo fixture (fake tokens) and are never echoed.
read -r EIGHTBYEIGHT_TENANT EIGHTBYEIGHT_ACTION_TOKEN EIGHTBYEIGHT_DATA_TOKEN < <("${venv}/bin/python" -c '
import sys, yaml
fixture = yaml.safe_load(open(sys.argv[1]))
print(fixture["tenant"], fixture["action_token"], fixture["data_token"])' "${fixture}")
EIGHTBYEIGHT_BASE_URL="${SIM_URL}"
export EIGHTBYEIGHT_TENANT EIGHTBYEIGHT_ACTION_TOKEN EIGHTBYEIGHT_DATA_TOKEN EIGHTBYEIGHT_BASE_URL

cd "${root}"
ANSIBLE_COLLECTIONS_PATH="${root}/build/collections" \
    PATH="${venv}/bin:${PATH}" \
    "${venv}/bin/ansible-playbook" -i demo/inventory.yml demo/playbook.yml \
    -e "ansible_python_interpreter=${venv}/bin/python" "$@"
