#!/usr/bin/env bash
# `make sanity` / `make sanity-<matrix entry>`: ansible-test sanity --venv in the physical collection copy.
#
#   VENV=<venv>  whose ansible-test runs (default .venv: ansible-core 2.19, Python 3.11); the Python
#                version passed to --python is the venv's own.
# No --skip-test: every sanity test ansible-test selects runs. A test that ansible-test skips because a
# tool is missing (shellcheck skips itself with only a warning) fails this suite. Prints its timing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(cd "${VENV:-${root}/.venv}" && pwd)"
py="$("${venv}/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
core="$("${venv}/bin/python" -c 'import ansible.release as r; print(r.__version__)')"
started=${SECONDS}
log="${root}/build/logs/sanity-${core}-py${py}.log"
mkdir -p "${root}/build/logs"

"${root}/hack/seed-get-pip.sh" >/dev/null
copy="$("${root}/hack/collection-copy.sh" | tail -n 1)"
echo "ansible-test sanity --venv --python ${py} (ansible-core ${core}, in ${copy#"${root}"/})"
rc=0
# The venv's bin goes first on PATH: ansible-test probes python3.X there, and the pyenv shims for
# 3.12/3.13 are broken on these machines.
(cd "${copy}" && PATH="${venv}/bin:${PATH}" "${venv}/bin/ansible-test" sanity --venv --python "${py}" --color no) 2>&1 \
    | tee "${log}" || rc=1
if grep -E 'Required program "[^"]+" not found|Skipping sanity test' "${log}"; then
    echo "sanity: a sanity test was skipped for a missing tool (see above): install it"
    rc=1
fi
echo "sanity: $([[ ${rc} -eq 0 ]] && echo passed || echo FAILED) in $((SECONDS - started))s (ansible-core ${core}, Python ${py})"
exit "${rc}"
