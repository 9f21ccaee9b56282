#!/usr/bin/env bash
# The Campaigns API v1 target: the tasks of this role (status, records, 4 workers, a ledger re-run that sends
# no add request, refusals), then an upload with 4 workers stopped by SIGTERM half-way (interrupt.py).
set -eu -o pipefail

# setup_simulator (meta dependency) and this role sit in the folder above.
ANSIBLE_ROLES_PATH="$(cd .. && pwd)"
export ANSIBLE_ROLES_PATH
config=../../integration_config.yml
python="$(sed -n "s/^ansible_python_interpreter: //p" "${config}")"

# A work directory of this run's own: the matrix runs this target on several ansible-core versions at once, and
# a ledger or file in a shared place would carry one run's confirmations into another.
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

ansible-playbook -i "${INVENTORY_PATH}" -e @"${config}" -e output_dir="${work}" play.yml "$@"
"${python}" interrupt.py "${config}" "${INVENTORY_PATH}"
