#!/usr/bin/env bash
# Integration harness: start the simulator on a free loopback port, write
# tests/integration/integration_config.yml into the collection directory, run
# `ansible-test integration --local --python X.Y` there, always stop the simulator. Prints its timing.
#
# Environment: TARGETS="target_a target_b" to select targets (default: all),
#              ANSIBLE_TEST_VERBOSITY=-v|-vvv (default: none),
#              VENV=<venv>   whose ansible-test / ansible-core / python run the tests and the modules
#                            (default .venv; the support matrix passes build/venvs/<name>),
#              COLLECTION_DIR=<.../ansible_collections/eightbyeight/dynamic_campaigns> to test
#                            (default: the synced copy of the working tree; galaxy-build passes the
#                            collection installed from the release tarball),
#              COLLECTIONS_ROOT=<dir> where collection-copy.sh syncs the working tree (default build/collections),
#              SIM_VENV=<venv> that runs the simulator (default VENV, else .venv: it needs aiohttp).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(cd "${VENV:-${root}/.venv}" && pwd)"
SIM_PYTHON="${SIM_PYTHON:-${SIM_VENV:-${VENV:-${root}/.venv}}/bin/python}"
test_python="$("${venv}/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
started=${SECONDS}
# shellcheck source=hack/simulator.sh
source "${root}/hack/simulator.sh"
trap sim_stop EXIT
trap 'exit 130' INT TERM

"${root}/hack/seed-get-pip.sh" >/dev/null
# One integration run at a time per collection copy: its integration_config.yml is shared. Copies
# elsewhere (COLLECTIONS_ROOT for collection-copy.sh, or COLLECTION_DIR) have their own lock, so the
# support matrix can run its entries in parallel (hack/matrix-integration.sh).
if [[ -n "${COLLECTION_DIR:-}" ]]; then
    lock="${COLLECTION_DIR}/../.integration.lock"
elif [[ -n "${COLLECTIONS_ROOT:-}" ]]; then
    mkdir -p "${COLLECTIONS_ROOT}"
    lock="${COLLECTIONS_ROOT}/.integration.lock"
else
    mkdir -p "${root}/build"
    lock="${root}/build/.integration.lock"
fi
exec 8>"${lock}"
flock -n 8 || { echo "integration: waiting for another integration run on this collection copy to finish"; flock 8; }
# The timing printed at the end counts from here (not the wait for the lock).
started=${SECONDS}
if [[ -n "${COLLECTION_DIR:-}" ]]; then
    copy="${COLLECTION_DIR}"
else
    copy="$("${root}/hack/collection-copy.sh" | tail -n 1)"
fi
label="ansible-core $("${venv}/bin/python" -c 'import ansible.release as r; print(r.__version__)'), Python ${test_python}, ${copy#"${root}"/}"
report() {
    local rc=$?
    sim_stop
    echo "integration: $([[ ${rc} -eq 0 ]] && echo passed || echo "FAILED (rc=${rc})") in $((SECONDS - started))s (${label})"
}
trap report EXIT

targets_dir="${copy}/tests/integration/targets"
if [[ -z "$(find "${targets_dir}" -mindepth 1 -maxdepth 1 -type d 2>/dev/null)" ]]; then
    echo "integration: no targets in tests/integration/targets/" >&2
    exit 1
fi

SIM_TLS=1 sim_start "${root}/tests/simulator/fixtures/test.yml"

cat >"${copy}/tests/integration/integration_config.yml" <<YAML
---
# Written by hack/integration.sh; the tokens are the simulator's fake test tokens.
dc_base_url: ${SIM_URL}
dc_sim_url: ${SIM_URL}/_sim
dc_tenant: acme
dc_action_token: act-123
dc_data_token: data-456
# The same simulator over HTTPS; its certificate is signed by the throwaway CA in dc_tls_ca_path.
dc_tls_base_url: ${SIM_TLS_URL}
dc_tls_ca_path: ${SIM_TLS_CA}
ansible_python_interpreter: ${venv}/bin/python
# Modules run on the controller (local connection): pipelining skips the temp-file round trip.
ansible_pipelining: true
YAML

# Passes ansible-test's output through and prints how long each target took when it ends.
time_targets() {
    local line current="" start=${SECONDS}
    local -a rows=()
    while IFS= read -r line; do
        printf '%s\n' "${line}"
        if [[ "${line}" =~ ^Running\ ([A-Za-z0-9_]+)\ integration\ test\ (role|script) ]]; then
            [[ -z "${current}" ]] || rows+=("$(printf '%-34s %5ss' "${current}" $((SECONDS - start)))")
            current="${BASH_REMATCH[1]}"
            start=${SECONDS}
        fi
    done
    [[ -z "${current}" ]] || rows+=("$(printf '%-34s %5ss' "${current}" $((SECONDS - start)))")
    ((${#rows[@]} == 0)) || printf 'integration: target timings\n%s\n' "$(printf '  %s\n' "${rows[@]}")"
}

# shellcheck disable=SC2086  # TARGETS and the verbosity flag are word lists on purpose
(
    cd "${copy}"
    PATH="${venv}/bin:${PATH}" "${venv}/bin/ansible-test" integration --local --python "${test_python}" \
        --color no --continue-on-error ${ANSIBLE_TEST_VERBOSITY:-} ${TARGETS:-} 2>&1
) | time_targets
