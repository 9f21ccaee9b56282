#!/usr/bin/env bash
# Release checks: build the collection tarball from the working tree, check its contents, install it
# into a clean path (a new temporary directory), verify the installed copy offline, run ansible-builder
# introspect on it, ansible-lint (production profile) on the installed role(s), and one integration
# run from the installed copy: what users install is what is tested.
#
# Environment: RELEASE_TARGETS="..." integration targets run from the installed copy
#              (default: campaign_lifecycle_runner: the GitOps example, role and modules, run by ansible-runner as AWX runs it).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(cd "${VENV:-${root}/.venv}" && pwd)"
dist="${root}/build/dist"
# The clean install path is outside the checkout: inside it, ansible-test would take its file list
# from the checkout's git (where build/ is ignored) and find no test targets.
install_dir="$(mktemp -d "${TMPDIR:-/tmp}/dynamic_campaigns-release.XXXXXX")"
trap 'rm -rf "${install_dir}"' EXIT
export PATH="${venv}/bin:${PATH}"

rm -rf "${dist}" "${root}/build/galaxy-install"
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
for required in MANIFEST.json FILES.json LICENSE README.md meta/runtime.yml meta/execution-environment.yml requirements.txt bindep.txt \
    extensions/eda/plugins/event_source/campaign_events.py; do
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

installed="${install_dir}/ansible_collections/eightbyeight/dynamic_campaigns"

# ansible-lint as Galaxy/AAP users would run it on what they install. ANSIBLE_HOME keeps its own
# install of the collection out of ~/.ansible.
for role in "${installed}"/roles/*/; do
    role="${role%/}"
    echo "galaxy-build: ansible-lint --profile production ${role#"${installed}"/} (installed copy)"
    (cd "${installed}" && ANSIBLE_HOME="${root}/build/ansible-lint-home" NO_COLOR=1 \
        ansible-lint --profile production --offline "roles/${role##*/}")
done

echo "galaxy-build: integration from the installed collection (${installed})"
COLLECTION_DIR="${installed}" VENV="${venv}" TARGETS="${RELEASE_TARGETS:-campaign_lifecycle_runner}" \
    "${root}/hack/integration.sh"
