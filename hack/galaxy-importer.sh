#!/usr/bin/env bash
# `make galaxy-importer`: the checks Galaxy and Automation Hub run on an uploaded collection, on the
# tarball built from the working tree. galaxy-importer comes from its own venv (build/venvs/importer,
# hack/tool-venv.sh importer). Fails on a failed import and on any warning or error it prints.
#
# Its configuration is Automation Hub's, but:
#   run_ansible_test = False        ansible-test runs in containers there; `make sanity` runs it here
#   require_v1_or_greater = False   certification needs a 1.0.0 or later release; this is 0.x
#                                   (docs/certification.md)
# Environment: VENV=<venv> whose ansible-galaxy builds the tarball (default .venv).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(cd "${VENV:-${root}/.venv}" && pwd)"
started=${SECONDS}
work="${root}/build/galaxy-importer"
importer_venv="$("${root}/hack/tool-venv.sh" importer | tail -n 1)"

rm -rf "${work}"
mkdir -p "${work}/dist" "${work}/run"
"${venv}/bin/ansible-galaxy" collection build --force --output-path "${work}/dist" "${root}" >/dev/null
tarball="$(ls "${work}"/dist/eightbyeight-dynamic_campaigns-*.tar.gz)"

cat >"${work}/galaxy-importer.cfg" <<'CFG'
[galaxy-importer]
run_ansible_test = False
run_ansible_doc = True
run_ansible_lint = True
offline_ansible_lint = True
check_changelog = True
check_required_tags = True
require_v1_or_greater = False
log_level_main = INFO
CFG

rc=0
# Run from a scratch directory: the importer writes importer_result.json into its working directory.
# Its venv's bin goes first on PATH: it calls ansible-doc and ansible-lint by name.
(cd "${work}/run" && GALAXY_IMPORTER_CONFIG="${work}/galaxy-importer.cfg" PATH="${importer_venv}/bin:${PATH}" \
    "${importer_venv}/bin/python" -m galaxy_importer.main "${tarball}") >"${work}/import.log" 2>&1 || rc=$?
grep -v '^Loading ' "${work}/import.log" || true
if ((rc != 0)); then
    echo "galaxy-importer: the import failed (rc=${rc})" >&2
elif grep -Eq '^(WARNING|ERROR)' "${work}/import.log"; then
    echo "galaxy-importer: the import has warnings or errors (above)" >&2
    rc=1
elif ! grep -q '^Importer processing completed successfully' "${work}/import.log"; then
    echo "galaxy-importer: no 'Importer processing completed successfully' line" >&2
    rc=1
fi
echo "galaxy-importer: $( ((rc == 0)) && echo passed || echo FAILED) in $((SECONDS - started))s" \
    "($("${importer_venv}/bin/python" -c 'import importlib.metadata as m; print("galaxy-importer", m.version("galaxy-importer"))'), ${tarball##*/})"
exit "${rc}"
