#!/usr/bin/env bash
# `make integration-matrix`: the integration targets on every support-matrix entry given (default: all
# of hack/matrix.sh's), in parallel. Each entry gets its own collection copy
# (build/matrix/<name>/collections/...), its own simulator and its own log
# (build/logs/integration-<name>.log); the log is printed when the entry fails. Prints each entry's
# timing and fails if any entry failed. The machine's two cores are shared: the runs spend much of
# their time waiting on the simulator (latency and retry scenarios), so two at once cost little more
# than one.
#   hack/matrix-integration.sh [core2.16 core2.21 ...]
# Targets: TARGETS="..." for every entry; else TARGETS_<entry, dots as underscores> (TARGETS_core2_16="...")
# for that entry; else every target.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sim_venv="$(cd "${SIM_VENV:-${root}/.venv}" && pwd)"
mapfile -t entries < <(if (($#)); then printf '%s\n' "$@"; else "${root}/hack/matrix.sh" list | cut -d' ' -f1; fi)
mkdir -p "${root}/build/logs"
declare -A pids=() venvs=()

for name in "${entries[@]}"; do
    venvs[${name}]="$("${root}/hack/matrix.sh" venv "${name}" | tail -n 1)" || exit 1
done
for name in "${entries[@]}"; do
    log="${root}/build/logs/integration-${name}.log"
    entry_targets="TARGETS_${name//./_}"
    targets="${TARGETS:-${!entry_targets:-}}"
    echo "integration-matrix: ${name} started (log ${log#"${root}"/}; targets: ${targets:-all})"
    TARGETS="${targets}" COLLECTIONS_ROOT="${root}/build/matrix/${name}/collections" VENV="${venvs[${name}]}" SIM_VENV="${sim_venv}" \
        "${root}/hack/integration.sh" >"${log}" 2>&1 </dev/null &
    pids[${name}]=$!
done

failed=0
for name in "${entries[@]}"; do
    log="${root}/build/logs/integration-${name}.log"
    if wait "${pids[${name}]}"; then
        echo "integration-matrix: ${name}: $(grep '^integration: ' "${log}" | tail -n 1)"
    else
        failed=1
        echo "integration-matrix: ${name} FAILED; its log:"
        sed 's/^/    /' "${log}"
        echo "integration-matrix: ${name}: $(grep '^integration: ' "${log}" | tail -n 1)"
    fi
done
exit "${failed}"
