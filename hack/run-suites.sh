#!/usr/bin/env bash
# Run every suite given as argument (`make <suite>`), even after a failure, then print a timing
# table and exit non-zero if any suite failed.
#   hack/run-suites.sh lint units sanity ...
#   hack/run-suites.sh lint units -- integration-matrix galaxy-build
# Suites after `--` form a second lane: they run one after another in the background, beside the
# first lane, each with its output kept in build/logs/suite-<name>.log and printed when it ends
# (so the two lanes' output never interleaves). The table lists both lanes and the wall time.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
make_cmd="${MAKE:-make}"
results_dir="$(mktemp -d "${TMPDIR:-/tmp}/run-suites.XXXXXX")"
trap 'rm -rf "${results_dir}"' EXIT
mkdir -p "${root}/build/logs"
declare -a lane1=() lane2=() order=()
second=0
for arg in "$@"; do
    if [[ "${arg}" == "--" ]]; then
        second=1
    elif ((second)); then
        lane2+=("${arg}")
    else
        lane1+=("${arg}")
    fi
done
total_start=${SECONDS}

# run_suite NAME: runs `make NAME`, records "<seconds> <rc>" in the results directory.
run_suite() {
    local suite="$1" start=${SECONDS} rc
    "${make_cmd}" --no-print-directory "${suite}" </dev/null
    rc=$?
    echo "$((SECONDS - start)) ${rc}" >"${results_dir}/${suite}"
    return "${rc}"
}

# The second lane: each suite's output goes to its log; print_lane2 shows the logs of the
# suites that have ended (their result file exists), each once, in one piece.
run_lane2() {
    local suite
    for suite in "${lane2[@]}"; do
        run_suite "${suite}" >"${root}/build/logs/suite-${suite}.log" 2>&1
    done
}
declare -A shown=()
print_lane2() {
    local suite log
    for suite in "${lane2[@]}"; do
        [[ -f "${results_dir}/${suite}" && -z "${shown[${suite}]:-}" ]] || continue
        shown[${suite}]=1
        log="${root}/build/logs/suite-${suite}.log"
        echo
        echo "================================================================ ${suite} (second lane, log ${log#"${root}"/})"
        cat "${log}"
    done
}

lane2_pid=""
if ((${#lane2[@]})); then
    echo "run-suites: second lane started in the background: ${lane2[*]}"
    run_lane2 &
    lane2_pid=$!
fi
for suite in "${lane1[@]}"; do
    echo
    echo "================================================================ ${suite}"
    run_suite "${suite}" 2>&1 | tee "${root}/build/logs/suite-${suite}.log"
    # What the second lane finished meanwhile, between two first-lane suites.
    print_lane2
done
if [[ -n "${lane2_pid}" ]]; then
    echo
    echo "run-suites: waiting for the second lane (${lane2[*]})"
    wait "${lane2_pid}"
    print_lane2
fi

order=("${lane1[@]}" "${lane2[@]}")
failed=0
passed_count=0
echo
echo "================================================================ summary"
printf '%-18s %8s  %-6s %s\n' "suite" "seconds" "lane" "result"
printf '%-18s %8s  %-6s %s\n' "-----" "-------" "----" "------"
for suite in "${order[@]}"; do
    lane=1
    for other in "${lane2[@]}"; do [[ "${other}" != "${suite}" ]] || lane=2; done
    if [[ -f "${results_dir}/${suite}" ]]; then
        read -r seconds rc <"${results_dir}/${suite}"
    else
        seconds="-" rc="not run"
    fi
    if [[ "${rc}" == 0 ]]; then
        result=ok
        passed_count=$((passed_count + 1))
    else
        result="FAILED (rc=${rc})"
        failed=1
    fi
    printf '%-18s %8s  %-6s %s\n' "${suite}" "${seconds}" "${lane}" "${result}"
done
printf '%-18s %8s  (wall time, both lanes)\n' "total" "$((SECONDS - total_start))"
# The lines that say what failed, so the end of the output names them (whole logs: build/logs/suite-*.log).
for suite in "${order[@]}"; do
    read -r _ rc <"${results_dir}/${suite}" 2>/dev/null || rc="not run"
    [[ "${rc}" != 0 ]] || continue
    echo "---- ${suite} failed; what its log (build/logs/suite-${suite}.log) says of it:"
    grep -E "FATAL|^ERROR|FAILED|failed=[1-9]|Error [0-9]|integration test\(s\) listed below|^    [a-z_0-9]+$" \
        "${root}/build/logs/suite-${suite}.log" 2>/dev/null | grep -v "FAILED - RETRYING" | tail -n 25
done
if ((failed)); then
    echo "RESULT: FAILED"
else
    echo "RESULT: all suites passed"
fi
echo "suites: ${passed_count} passed, $((${#order[@]} - passed_count)) failed"
exit "${failed}"
