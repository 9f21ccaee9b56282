#!/usr/bin/env bash
# `make demo-gitops`: docs/examples/gitops against the simulator (fixture tests/simulator/fixtures/gitops.yml,
# both tenants), as its README runs it, one tenant at a time with that tenant's tokens:
#   1. the drift report (--check --diff): must announce changes on every host of the tenant, send
#      no write (the simulator's request log) and warn about nothing
#   2. the apply: must make as many changes per host as the drift report announced
#   3. the apply again: must report changed=0 (and failed=0) on every host
# Fails at the first step that does not hold. Always stops the simulator.
set -euo pipefail
# The demo venv is installed without byte-compiling (hack/demo-venv.sh): let python cache what it imports.
unset PYTHONDONTWRITEBYTECODE

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(cd "${VENV:-${root}/.venv}" && pwd)"
example="${root}/docs/examples/gitops"
fixture="${root}/tests/simulator/fixtures/gitops.yml"
export VENV="${venv}"
# shellcheck source=hack/simulator.sh
source "${root}/hack/simulator.sh"
trap sim_stop EXIT
trap 'exit 130' INT TERM
started=${SECONDS}

copy="$("${root}/hack/collection-copy.sh" | tail -n 1)"
sim_start "${fixture}" 8808

# `tenant hosts`: the tenant's inventory hosts; `tenant_token NAME KEY`: a token from the fixture.
tenant_hosts() {
    "${venv}/bin/ansible-inventory" -i "${example}/inventory" --list 2>/dev/null | "${venv}/bin/python" -c \
        'import json, sys; print(" ".join(json.load(sys.stdin)["tenant_" + sys.argv[1]]["hosts"]))' "$1"
}
tenant_token() {
    "${venv}/bin/python" -c '
import sys, yaml
tenants = yaml.safe_load(open(sys.argv[1]))["tenants"]
print([t for t in tenants if t["tenant"] == sys.argv[2]][0][sys.argv[3]])' "${fixture}" "$1" "$2"
}
writes_logged() {
    "${venv}/bin/python" -c '
import json, sys, urllib.request
log = json.load(urllib.request.urlopen(sys.argv[1] + "/_sim/requests"))["requests"]
print(sum(1 for entry in log if entry["method"] != "GET"))' "${SIM_URL}"
}

# run_playbook LOG ARGS...: the README's command from the example's directory; output kept in LOG.
run_playbook() {
    local log="$1"
    shift
    (cd "${example}" && ANSIBLE_COLLECTIONS_PATH="${copy%/ansible_collections/*}" ANSIBLE_NOCOLOR=1 \
        PATH="${venv}/bin:${PATH}" ansible-playbook playbook.yml "$@") >"${log}" 2>&1 \
        || { sed 's/^/    /' "${log}"; echo "demo-gitops: ansible-playbook $* failed (above)" >&2; return 1; }
}

# recap LOG HOST: the host's PLAY RECAP line in LOG (empty when it has none).
recap() {
    grep -E "^$2 +: " "$1" | tail -n 1
}
changed_of() {
    sed -nE 's/.* changed=([0-9]+) .*/\1/p' <<<"$(recap "$1" "$2")"
}

# check_hosts LOG HOSTS WANT: every host's recap in LOG has failed=0 and a changed count that is
# WANT: "some" (more than 0), "0", or "as:OTHER_LOG" (the same as in OTHER_LOG); else print LOG, fail.
check_hosts() {
    local log="$1" hosts="$2" want="$3" host line changed expected
    for host in ${hosts}; do
        line="$(recap "${log}" "${host}")"
        changed="$(changed_of "${log}" "${host}")"
        case "${want}" in
            some) expected="${changed:-0}"; ((expected > 0)) || expected="more than 0" ;;
            as:*) expected="$(changed_of "${want#as:}" "${host}")" ;;
            *) expected="${want}" ;;
        esac
        if [[ -z "${line}" || "${line}" != *" failed=0 "* || "${changed}" != "${expected}" ]]; then
            sed 's/^/    /' "${log}"
            echo "demo-gitops: host ${host}: expected failed=0 and changed=${expected}, PLAY RECAP says: ${line:-nothing}" >&2
            return 1
        fi
        echo "demo-gitops:   ${line}"
    done
}

mkdir -p "${root}/build/logs"
for tenant in acme globex; do
    hosts="$(tenant_hosts "${tenant}")"
    EIGHTBYEIGHT_BASE_URL="${SIM_URL}"
    EIGHTBYEIGHT_DATA_TOKEN="$(tenant_token "${tenant}" data_token)"
    EIGHTBYEIGHT_ACTION_TOKEN="$(tenant_token "${tenant}" action_token)"
    export EIGHTBYEIGHT_BASE_URL EIGHTBYEIGHT_DATA_TOKEN EIGHTBYEIGHT_ACTION_TOKEN
    log="${root}/build/logs/demo-gitops-${tenant}"

    echo "demo-gitops: tenant ${tenant} (hosts ${hosts}): drift report (--check --diff), no write"
    before="$(writes_logged)"
    run_playbook "${log}-drift.log" --limit "tenant_${tenant}" --check --diff
    check_hosts "${log}-drift.log" "${hosts}" some
    # Nothing to warn about: a new campaign is started by the role before its customers are added.
    if grep -F "[WARNING]" "${log}-drift.log" >&2; then
        echo "demo-gitops: the drift report warns (above)" >&2
        exit 1
    fi
    if (($(writes_logged) != before)); then
        echo "demo-gitops: the drift report sent $(($(writes_logged) - before)) writes to the API" >&2
        exit 1
    fi

    echo "demo-gitops: tenant ${tenant}: apply, as many changes per host as the drift report announced"
    run_playbook "${log}-apply.log" --limit "tenant_${tenant}"
    check_hosts "${log}-apply.log" "${hosts}" "as:${log}-drift.log"

    echo "demo-gitops: tenant ${tenant}: apply again, changed=0 on every host"
    run_playbook "${log}-again.log" --limit "tenant_${tenant}"
    check_hosts "${log}-again.log" "${hosts}" 0
done
echo "demo-gitops: passed in $((SECONDS - started))s (logs build/logs/demo-gitops-*.log)"
