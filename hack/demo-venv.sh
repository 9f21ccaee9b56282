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
# The wheels are kept outside the checkout, per Python version and requirements file: a fresh clone on a
# machine that made the demo venv before installs them offline (seconds) instead of downloading them
# again (pip's own cache keeps nothing here: the index answers are not cacheable).
# DEMO_WHEELS=<dir> sets the cache; DEMO_WHEELS=none downloads every time.
key="$("${python}" -c 'import hashlib, sys
print("py%d.%d-%s" % (sys.version_info[:2] + (hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest()[:16],)))' "${requirements}")"
wheels="${DEMO_WHEELS:-${XDG_CACHE_HOME:-${HOME}/.cache}/eightbyeight.dynamic_campaigns/demo-wheels}/${key}"
# --no-compile: byte-compiling all of ansible-core takes longer than the demo's own imports; the demo
# scripts let python cache what it imports instead (they unset PYTHONDONTWRITEBYTECODE).
pip_args=(install --disable-pip-version-check -q --no-compile)
if [[ "${DEMO_WHEELS:-}" != none && ! -f "${wheels}/.complete" ]]; then
    # Downloaded beside the cache and moved in whole: two clones filling it at once do not mix their files.
    mkdir -p "$(dirname "${wheels}")"
    partial="$(mktemp -d "${wheels}.partial.XXXXXX")"
    if "${python}" -m pip download --disable-pip-version-check -q -d "${partial}" -r "${requirements}" >&2; then
        touch "${partial}/.complete"
        [[ -f "${wheels}/.complete" ]] || rm -rf "${wheels}"
        mv -T "${partial}" "${wheels}" 2>/dev/null || true
    fi
    rm -rf "${partial}"
fi
# make_venv PIP_ARGS...: the venv with PIP_ARGS installed. The interpreter's own pip (22.3 or later) installs
# into a venv made without pip: seconds faster than bootstrapping pip into the venv with ensurepip.
make_venv() {
    rm -rf "${venv}"
    if "${python}" -m venv --without-pip "${venv}" && "${python}" -m pip --python "${venv}/bin/python" --version >/dev/null 2>&1; then
        "${python}" -m pip --python "${venv}/bin/python" "${pip_args[@]}" "$@" >&2
    else
        rm -rf "${venv}"
        "${python}" -m venv "${venv}"
        "${venv}/bin/python" -m pip "${pip_args[@]}" "$@" >&2
    fi
}
how="from the index"
if [[ -f "${wheels}/.complete" && "${DEMO_WHEELS:-}" != none ]] \
    && make_venv --no-index --find-links "${wheels}" -r "${requirements}"; then
    how="offline from ${wheels}"
else
    # No cache, or one that no longer installs: from the index.
    rm -rf "${wheels}"
    make_venv -r "${requirements}"
fi
cp "${requirements}" "${stamp}"
echo "demo-venv: ready in $((SECONDS - started))s, ${how} (ansible-core $("${venv}/bin/python" -c 'import ansible.release; print(ansible.release.__version__)'))" >&2
echo "${venv}"
