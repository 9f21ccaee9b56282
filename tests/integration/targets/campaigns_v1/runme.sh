#!/usr/bin/env bash
# The Campaigns API v1 target: the tasks of this role (status, records, 4 workers, a ledger re-run that sends
# no add request, refusals), then an upload with 4 workers stopped by SIGTERM half-way (interrupt.py).
set -eu -o pipefail

# setup_simulator (meta dependency) and this role sit in the folder above.
ANSIBLE_ROLES_PATH="$(cd .. && pwd)"
export ANSIBLE_ROLES_PATH
config=../../integration_config.yml
python="$(sed -n "s/^ansible_python_interpreter: //p" "${config}")"

ansible-playbook -i "${INVENTORY_PATH}" -e @"${config}" play.yml "$@"
"${python}" interrupt.py "${config}" "${INVENTORY_PATH}"
