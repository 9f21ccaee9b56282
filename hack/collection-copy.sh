#!/usr/bin/env bash
# Sync the working tree (tracked + untracked, not ignored, uncommitted edits included) into the
# physical collection path ansible-test needs:
#   build/collections/ansible_collections/eightbyeight/dynamic_campaigns/
# A symlink does not work (ansible-test resolves the cwd), and .git must be present in the copy
# (without it ansible-test walks every file, venvs included).
#
# Files that tools write into the copy and that are git-ignored (tests/output/,
# tests/integration/integration_config.yml, ...) are kept; files deleted from the working tree are
# deleted from the copy. Prints the copy's path on stdout (last line).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
collections_root="${COLLECTIONS_ROOT:-${root}/build/collections}"
dest="${collections_root}/ansible_collections/eightbyeight/dynamic_campaigns"

command -v rsync >/dev/null || { echo "collection-copy: rsync is required" >&2; exit 1; }
mkdir -p "${dest}"

# Several people run make targets in this checkout at the same time: serialise the syncs.
exec 9>"${collections_root}/.collection-copy.lock"
flock 9

src_list="$(mktemp)"
dest_list="$(mktemp)"
trap 'rm -f "${src_list}" "${dest_list}"' EXIT

# The list ansible-test itself uses: cached + others, minus ignored, minus deleted.
git -C "${root}" ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' path; do
        [[ -f "${root}/${path}" || -L "${root}/${path}" ]] && printf '%s\0' "${path}"
    done | sort -z -u > "${src_list}"

# A linked worktree (git worktree add) has a .git file naming its git dir: the copy gets the same file.
if [[ -f "${root}/.git" ]]; then
    rm -rf "${dest}/.git"
    cp "${root}/.git" "${dest}/.git"
else
    [[ -f "${dest}/.git" ]] && rm -f "${dest}/.git"
    rsync -a --delete "${root}/.git/" "${dest}/.git/"
fi
rsync -a --from0 --files-from="${src_list}" "${root}/" "${dest}/"

# Remove files that no longer exist in the working tree (ignored files in the copy are kept).
git -C "${dest}" ls-files -z --cached --others --exclude-standard | sort -z -u > "${dest_list}"
comm -z -23 "${dest_list}" "${src_list}" | while IFS= read -r -d '' stale; do
    rm -f -- "${dest:?}/${stale}"
done
find "${dest}" -mindepth 1 -path "${dest}/.git" -prune -o -type d -empty -print0 \
    | xargs -0 -r rmdir --ignore-fail-on-non-empty

echo "${dest}"
