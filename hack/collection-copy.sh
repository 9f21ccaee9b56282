#!/usr/bin/env bash
# Sync the working tree (tracked + untracked, not ignored, uncommitted edits included) into the
# physical collection path ansible-test needs:
#   build/collections/ansible_collections/eightbyeight/dynamic_campaigns/
# A symlink does not work (ansible-test resolves the cwd), and .git must be present in the copy
# (without it ansible-test walks every file, venvs included).
#
# Files that tools write into the copy and that are git-ignored (tests/output/,
# tests/integration/integration_config.yml, ...) are kept; files deleted from the working tree are
# deleted from the copy. Needs only git, flock and python3 (hack/collection_copy.py does the copy).
# Prints the copy's path on stdout (last line).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
collections_root="${COLLECTIONS_ROOT:-${root}/build/collections}"
dest="${collections_root}/ansible_collections/eightbyeight/dynamic_campaigns"
mkdir -p "${dest}"

# Several people run make targets in this checkout at the same time: serialise the syncs.
exec 9>"${collections_root}/.collection-copy.lock"
flock 9

python3 "${root}/hack/collection_copy.py" "${root}" "${dest}"
echo "${dest}"
