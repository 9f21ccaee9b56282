#!/usr/bin/env bash
# Run every suite given as argument (`make <suite>`), even after a failure, then print a timing
# table and exit non-zero if any suite failed.
#   hack/run-suites.sh lint units sanity ...
set -uo pipefail

make_cmd="${MAKE:-make}"
declare -a names=() results=() durations=()
failed=0
total_start=${SECONDS}

for suite in "$@"; do
    echo
    echo "================================================================ ${suite}"
    start=${SECONDS}
    "${make_cmd}" --no-print-directory "${suite}"
    rc=$?
    elapsed=$((SECONDS - start))
    names+=("${suite}")
    durations+=("${elapsed}")
    if ((rc == 0)); then
        results+=("ok")
    else
        results+=("FAILED (rc=${rc})")
        failed=1
    fi
done

echo
echo "================================================================ summary"
printf '%-18s %8s  %s\n' "suite" "seconds" "result"
printf '%-18s %8s  %s\n' "-----" "-------" "------"
for i in "${!names[@]}"; do
    printf '%-18s %8s  %s\n' "${names[$i]}" "${durations[$i]}" "${results[$i]}"
done
printf '%-18s %8s\n' "total" "$((SECONDS - total_start))"
passed_count=0
for result in "${results[@]}"; do
    [[ "${result}" == ok ]] && passed_count=$((passed_count + 1))
done
if ((failed)); then
    echo "RESULT: FAILED"
else
    echo "RESULT: all suites passed"
fi
echo "suites: ${passed_count} passed, $((${#results[@]} - passed_count)) failed"
exit "${failed}"
