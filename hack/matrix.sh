#!/usr/bin/env bash
# Support matrix: the ansible-core / Python pairs `make test` runs units and integration on.
#
#   hack/matrix.sh list              print "<name> <python> <ansible-core spec>" per entry
#   hack/matrix.sh venv NAME         create/refresh build/venvs/NAME (prints the venv path, last line)
#   hack/matrix.sh python VERSION    print the full path of a real interpreter for VERSION (e.g. 3.13)
#
# Entry "main" is the developer venv .venv (ansible-core 2.19, Python 3.11) that `make venv` creates;
# the others live under build/venvs/<name>/ (build/ is git-ignored and in galaxy.yml build_ignore).
# Keep this table, README.md "Support matrix" and meta/runtime.yml in step.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venvs_dir="${VENVS_DIR:-${root}/build/venvs}"

# name        python  ansible-core requirement
MATRIX="
core2.16     3.11    ansible-core>=2.16,<2.17
core2.21     3.13    ansible-core>=2.21,<2.22
"

pyenv_root() { pyenv root 2>/dev/null || echo "${PYENV_ROOT:-${HOME}/.pyenv}"; }

find_python() {
    # The pyenv shims for 3.12/3.13 are broken on these machines: look for the real binaries first.
    local version="$1" candidate
    # pyenv builds (under `pyenv root`, or the usual roots when HOME differs), then system ones.
    for candidate in "$(pyenv_root)"/versions/"${version}".*/bin/python"${version}" \
        /root/.pyenv/versions/"${version}".*/bin/python"${version}" /usr/local/pyenv/versions/"${version}".*/bin/python"${version}" \
        "/usr/local/bin/python${version}" "/usr/bin/python${version}"; do
        [[ -x "${candidate}" ]] && "${candidate}" -c 'import venv, ensurepip' 2>/dev/null && { echo "${candidate}"; return 0; }
    done
    echo "matrix: no working python${version} found (looked under $(pyenv_root)/versions and /usr)" >&2
    return 1
}

entry() {
    local name="$1" line
    line="$(grep -E "^${name} " <<<"${MATRIX}" || true)"
    [[ -n "${line}" ]] || { echo "matrix: unknown entry '${name}' (see hack/matrix.sh list)" >&2; return 1; }
    echo "${line}"
}

make_venv() {
    local name="$1" python_version spec python venv stamp want
    read -r _ python_version spec <<<"$(entry "${name}")"
    venv="${venvs_dir}/${name}"
    stamp="${venv}/.matrix.stamp"
    want="${spec} | $(cat "${root}/hack/requirements-matrix.txt")"
    if [[ -x "${venv}/bin/python" && -f "${stamp}" && "$(cat "${stamp}")" == "${want}" ]]; then
        echo "${venv}"
        return 0
    fi
    python="$(find_python "${python_version}")"
    echo "matrix: creating ${venv#"${root}"/} (${spec}, $(${python} --version))" >&2
    mkdir -p "${venvs_dir}"
    # One creation at a time per venv (several people run make in this checkout).
    exec 7>"${venvs_dir}/.${name}.lock"
    flock 7
    rm -rf "${venv}"
    "${python}" -m venv "${venv}"
    "${venv}/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip >&2
    "${venv}/bin/python" -m pip install --disable-pip-version-check -q "${spec}" -r "${root}/hack/requirements-matrix.txt" >&2
    printf '%s' "${want}" >"${stamp}"
    echo "matrix: ${name}: $("${venv}/bin/ansible" --version | head -n 1), $("${venv}/bin/python" --version)" >&2
    echo "${venv}"
}

case "${1:-}" in
    list) grep -v '^$' <<<"${MATRIX}" ;;
    venv) make_venv "${2:?usage: hack/matrix.sh venv NAME}" ;;
    python) find_python "${2:?usage: hack/matrix.sh python VERSION}" ;;
    *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
