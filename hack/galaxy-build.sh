#!/usr/bin/env bash
# Build the collection tarball from the working tree, check its contents, install it into
# build/galaxy-install, verify the installed copy offline and run ansible-builder introspect on it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-${root}/.venv}"
dist="${root}/build/dist"
install_dir="${root}/build/galaxy-install"
export PATH="${venv}/bin:${PATH}"

rm -rf "${dist}" "${install_dir}"
mkdir -p "${dist}"
cd "${root}"
ansible-galaxy collection build --force --output-path "${dist}" .
tarball="$(ls "${dist}"/eightbyeight-dynamic_campaigns-*.tar.gz)"
# Listed once into a variable: `tar | grep -q` under pipefail fails when grep exits early (SIGPIPE).
listing="$(tar -tzf "${tarball}" | sed 's#^\./##')"

# Nothing that tools or developers leave in the tree may end up in the artifact.
forbidden='^(\.venv|\.git|\.ansible|\.ci|build|hack|tests/output|\.pytest_cache|\.ruff_cache|\.hypothesis)(/|$)|__pycache__|\.pyc$|tests/integration/(inventory|integration_config\.yml)$|\.tar\.gz$'
if grep -E "${forbidden}" <<<"${listing}"; then
    echo "galaxy-build: the files above must not be in ${tarball##*/} (add them to build_ignore)" >&2
    exit 1
fi
for required in MANIFEST.json FILES.json LICENSE README.md meta/runtime.yml meta/execution-environment.yml requirements.txt; do
    grep -qxF "${required}" <<<"${listing}" \
        || { echo "galaxy-build: ${required} missing from ${tarball##*/}" >&2; exit 1; }
done
echo "galaxy-build: $(grep -vc '/$' <<<"${listing}") files, $(du -h "${tarball}" | cut -f1) in ${tarball#"${root}"/}"

export ANSIBLE_COLLECTIONS_PATH="${install_dir}"
ansible-galaxy collection install --offline --force -p "${install_dir}" "${tarball}"
# Checks the installed files against the MANIFEST.json/FILES.json checksums.
ansible-galaxy collection verify --offline -p "${install_dir}" eightbyeight.dynamic_campaigns

introspect="$(ansible-builder introspect --sanitize "${install_dir}")"
if ! grep -q 'requests' <<<"${introspect}"; then
    echo "galaxy-build: ansible-builder introspect did not find the python requirement 'requests':" >&2
    echo "${introspect}" >&2
    exit 1
fi
echo "galaxy-build: ansible-builder introspect finds requests"
