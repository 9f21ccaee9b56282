#!/usr/bin/env bash
# The demo's own venv (build/venvs/demo, or DEMO_VENV): only hack/requirements-demo.txt, so `make demo`
# on a fresh clone does not wait for the whole development toolchain. Recreated when that file
# changes. Prints the venv's path (last line).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${DEMO_VENV:-${root}/build/venvs/demo}"
requirements="${root}/hack/requirements-demo.txt"
stamp="${venv}/.requirements-demo.stamp"
python="${PYTHON:-python3}"

mkdir -p "$(dirname "${venv}")"
# Two make runs at once in one checkout: one creates the venv, the other waits for it.
exec 7>"${venv}.lock"
flock 7
if [[ -x "${venv}/bin/python" && -f "${stamp}" ]] && cmp -s "${requirements}" "${stamp}"; then
    echo "${venv}"
    exit 0
fi

started=${SECONDS}
echo "demo-venv: creating ${venv#"${root}"/} (hack/requirements-demo.txt)" >&2
rm -rf "${venv}"
# --no-compile: byte-compiling all of ansible-core takes longer than the demo's own imports; the demo
# scripts let python cache what it imports instead (they unset PYTHONDONTWRITEBYTECODE).
pip_args=(install --disable-pip-version-check -q --no-compile -r "${requirements}")
# The interpreter's own pip (22.3 or later) installs into a venv made without pip: seconds faster
# than bootstrapping pip into the venv with ensurepip.
if "${python}" -m venv --without-pip "${venv}" && "${python}" -m pip --python "${venv}/bin/python" --version >/dev/null 2>&1; then
    "${python}" -m pip --python "${venv}/bin/python" "${pip_args[@]}" >&2
else
    rm -rf "${venv}"
    "${python}" -m venv "${venv}"
    "${venv}/bin/python" -m pip "${pip_args[@]}" >&2
fi
cp "${requirements}" "${stamp}"
echo "demo-venv: ready in $((SECONDS - started))s ($("${venv}/bin/ansible" --version | head -n 1))" >&2
echo "${venv}"
