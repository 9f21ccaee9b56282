#!/usr/bin/env bash
# A tool venv of its own under build/venvs/NAME, from hack/requirements-NAME.txt, for tools whose
# dependencies would fight the dev toolchain in .venv (ansible-rulebook, galaxy-importer).
#   hack/tool-venv.sh NAME     create or refresh it when the requirements changed; prints its path (last line)
# Python: the one of .venv (3.11), whose pip configuration is known to work here.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:?usage: hack/tool-venv.sh NAME (hack/requirements-NAME.txt)}"
requirements="${root}/hack/requirements-${name}.txt"
[[ -f "${requirements}" ]] || { echo "tool-venv: ${requirements#"${root}"/} does not exist" >&2; exit 2; }
venvs_dir="${VENVS_DIR:-${root}/build/venvs}"
venv="${venvs_dir}/${name}"
stamp="${venv}/.tool.stamp"
python="${PYTHON:-python3}"

mkdir -p "${venvs_dir}"
# One creation at a time per venv (several people run make in this checkout).
exec 7>"${venvs_dir}/.${name}.lock"
flock 7
if [[ -x "${venv}/bin/python" && -f "${stamp}" ]] && cmp -s "${stamp}" "${requirements}"; then
    echo "${venv}"
    exit 0
fi
echo "tool-venv: creating ${venv#"${root}"/} from ${requirements#"${root}"/}" >&2
rm -rf "${venv}"
"${python}" -m venv "${venv}"
"${venv}/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip >&2
"${venv}/bin/python" -m pip install --disable-pip-version-check -q -r "${requirements}" >&2
cp "${requirements}" "${stamp}"
echo "${venv}"
