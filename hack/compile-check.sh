#!/usr/bin/env bash
# Byte-compile plugins/ and extensions/ with every other target Python we claim to support (tests/config.yml:
# python_requires >=3.9); `make sanity` runs ansible-test on 3.11 only (broken pyenv shims).
# Interpreters are looked up by full path under $(pyenv root)/versions/, then on PATH.
# Prints which versions were checked and which were unavailable; fails if none was available.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pyenv_root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-${HOME}/.pyenv}")"
checked=() missing=() failed=0

find_python() {
    local version="$1" candidate
    for candidate in "${pyenv_root}"/versions/"${version}".*/bin/python"${version}" "$(command -v "python${version}" || true)"; do
        [[ -n "${candidate}" && -x "${candidate}" ]] && "${candidate}" -c 'pass' 2>/dev/null && { echo "${candidate}"; return 0; }
    done
    return 1
}

for version in 3.9 3.10 3.12 3.13; do
    if ! python="$(find_python "${version}")"; then
        missing+=("${version}")
        continue
    fi
    checked+=("${version}")
    # compile() only: nothing is written into the tree (no __pycache__).
    if ! (cd "${root}" && find plugins extensions -name '*.py' -print0 | xargs -0 -r "${python}" -c '
import sys
bad = 0
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as handle:
            compile(handle.read(), path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        bad = 1
        print("%s:%s:%s: SyntaxError on Python %d.%d: %s" % (path, exc.lineno, exc.offset, sys.version_info[0], sys.version_info[1], exc.msg))
sys.exit(bad)
'); then
        failed=1
    fi
done

echo "compile-check: compiled plugins/ and extensions/ on Python ${checked[*]:-(none)}${missing[*]:+; not available here: ${missing[*]}}"
if ((${#checked[@]} == 0)); then
    echo "compile-check: no interpreter available" >&2
    exit 1
fi
exit "${failed}"
