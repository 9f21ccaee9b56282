#!/usr/bin/env bash
# Changelog (antsibull-changelog, config in changelogs/config.yaml).
#
#   hack/changelog.sh release   (make changelog)       release galaxy.yml's version: changelogs/changelog.yaml,
#                                                      CHANGELOG.rst and CHANGELOG.md
#   hack/changelog.sh lint      (make changelog-lint)  fragments and changelog.yaml lint clean, and the
#                                                      committed CHANGELOG.rst/.md match what a release would write
#
# keep_fragments is true: fragments stay in changelogs/fragments/ after a release, and changelog.yaml
# records which release used which fragment. A version that has not been published yet (no git tag
# <version> or v<version>) is re-released from scratch by `release`, so fragments added after the
# last `make changelog` land in it; a tagged version is never touched.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-${root}/.venv}"
export PATH="${venv}/bin:${PATH}"
cd "${root}"

version="$(python3 -c 'import sys, yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])' 2>/dev/null \
    || "${venv}/bin/python" -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')"
release_date="${CHANGELOG_DATE:-}"

# Drop an unpublished release of ${version} from changelog.yaml (in the directory given) so that
# `antsibull-changelog release` rebuilds it from every fragment. Keeps its release_date.
unrelease() {
    local dir="$1"
    "${venv}/bin/python" - "${dir}/changelogs/changelog.yaml" "${version}" <<'PY'
import sys

import yaml

path, version = sys.argv[1:]
with open(path) as handle:
    data = yaml.safe_load(handle) or {}
releases = data.get("releases") or {}
old = releases.pop(version, None)
data["releases"] = releases
with open(path, "w") as handle:
    handle.write("---\n")
    yaml.safe_dump(data, handle, default_flow_style=False, sort_keys=True)
print((old or {}).get("release_date", ""))
PY
}

published() {
    git -C "${root}" rev-parse -q --verify "refs/tags/${version}" >/dev/null \
        || git -C "${root}" rev-parse -q --verify "refs/tags/v${version}" >/dev/null
}

release_in() {
    # $1: a directory that holds galaxy.yml, changelogs/, and receives CHANGELOG.rst/.md
    local dir="$1" previous_date date
    if published; then
        echo "changelog: ${version} is tagged (published); not re-releasing it" >&2
        return 0
    fi
    previous_date="$(unrelease "${dir}")"
    date="${release_date:-${previous_date:-$(date -u +%F)}}"
    (cd "${dir}" && antsibull-changelog release --reload-plugins --version "${version}" --date "${date}")
}

case "${1:-}" in
    release)
        release_in "${root}"
        echo "changelog: released ${version} into changelogs/changelog.yaml, CHANGELOG.rst and CHANGELOG.md"
        ;;
    lint)
        rc=0
        echo "antsibull-changelog lint"
        antsibull-changelog lint || rc=1
        echo "antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml"
        antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml || rc=1
        # Would `make changelog` change anything? Release in a scratch copy and compare.
        scratch="$(mktemp -d)"
        trap 'rm -rf "${scratch}"' EXIT
        cp -r galaxy.yml changelogs plugins "${scratch}/"
        [[ -d roles ]] && cp -r roles "${scratch}/"
        [[ -d meta ]] && cp -r meta "${scratch}/"
        for file in CHANGELOG.rst CHANGELOG.md; do
            [[ -f "${file}" ]] || { echo "changelog: ${file} is missing: run 'make changelog'" >&2; rc=1; }
        done
        if ((rc == 0)) && ! published; then
            if ! release_in "${scratch}" >"${scratch}/release.log" 2>&1; then
                cat "${scratch}/release.log" >&2
                rc=1
            fi
            for file in CHANGELOG.rst CHANGELOG.md changelogs/changelog.yaml; do
                if ! diff -u "${file}" "${scratch}/${file}" >"${scratch}/diff" 2>&1; then
                    echo "changelog: ${file} is out of date with changelogs/fragments/ (run 'make changelog'):" >&2
                    cat "${scratch}/diff" >&2
                    rc=1
                fi
            done
        fi
        ((rc == 0)) && echo "changelog: lint clean, CHANGELOG.rst/.md up to date for ${version}"
        exit "${rc}"
        ;;
    *)
        sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac
