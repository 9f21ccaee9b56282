#!/usr/bin/env bash
# `make docs-lint`: the documentation as the tools users run judge it.
#   - antsibull-docs lint-collection-docs --plugin-docs (from the physical copy)
#   - ansible-doc renders every module and the role (`ansible-doc -t role`), without warnings
#   - ansible-doc --json: every module has EXAMPLES and RETURN
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(cd "${VENV:-${root}/.venv}" && pwd)"
export PATH="${venv}/bin:${PATH}"
copy="$("${root}/hack/collection-copy.sh" | tail -n 1)"
export ANSIBLE_COLLECTIONS_PATH="${copy%/ansible_collections/*}"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false ANSIBLE_NOCOLOR=1 ANSIBLE_DEPRECATION_WARNINGS=1
rc=0
scratch="$(mktemp -d)"
trap 'rm -rf "${scratch}"' EXIT

echo "antsibull-docs lint-collection-docs --plugin-docs . (in ${copy#"${root}"/})"
(cd "${copy}" && antsibull-docs lint-collection-docs --plugin-docs .) || rc=1

modules="$(find "${copy}/plugins/modules" -maxdepth 1 -name '*.py' ! -name '__init__.py' -printf '%f\n' | sed 's/\.py$//' | sort)"
roles="$(find "${copy}/roles" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort)"
check_render() {
    # $@: ansible-doc arguments. Fails on a non-zero exit, an empty page or any warning/error.
    if ! ansible-doc "$@" >"${scratch}/out" 2>"${scratch}/err"; then
        echo "docs-lint: ansible-doc $* failed:" >&2
        cat "${scratch}/err" >&2
        return 1
    fi
    if grep -Eiq '\[(warning|error)\]|^(warning|error):' "${scratch}/err" "${scratch}/out"; then
        echo "docs-lint: ansible-doc $* warns:" >&2
        grep -Ei 'warning|error' "${scratch}/err" "${scratch}/out" >&2
        return 1
    fi
    echo "ansible-doc $*: $(wc -l <"${scratch}/out") lines"
}
for module in ${modules}; do
    check_render "eightbyeight.dynamic_campaigns.${module}" || rc=1
    ansible-doc --json "eightbyeight.dynamic_campaigns.${module}" | "${venv}/bin/python" -c '
import json, sys
name, data = next(iter(json.load(sys.stdin).items()))
missing = [key for key in ("examples", "return") if not data.get(key)]
if missing:
    sys.exit("docs-lint: %s has no %s" % (name, " and no ".join(key.upper() for key in missing)))
' || rc=1
done
for role in ${roles}; do
    check_render -t role "eightbyeight.dynamic_campaigns.${role}" || rc=1
done
((rc == 0)) && echo "docs-lint: clean"
exit "${rc}"
