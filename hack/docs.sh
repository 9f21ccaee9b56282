#!/usr/bin/env bash
# `make docs`: build the HTML docs site into build/docs/html/, offline.
#
#   1. antsibull-docs sphinx-init --use-current  -> build/docs/src/ (conf.py, rst/)
#   2. conf.py made offline: empty intersphinx_mapping, ref.ref warnings suppressed (the plugin pages
#      link to docs.ansible.com labels that cannot resolve without inventories), graphviz (the state
#      machine diagram) and MyST (the Markdown pages under docs/) added
#   3. antsibull-docs collection --use-current   -> the module and role pages
#   4. docs/index.rst, docs/guides/*.rst, the Markdown pages under docs/ and CHANGELOG.rst copied in
#   5. sphinx-build -W --keep-going (warnings fail the build)
#
# Needs `dot` (Debian package graphviz; .ci/run installs it).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-${root}/.venv}"
out="${DOCS_OUT:-${root}/build/docs}"
src="${out}/src"
export PATH="${venv}/bin:${PATH}"

command -v dot >/dev/null || { echo "docs: 'dot' not found: install graphviz (apt-get install -y graphviz; .ci/run does it)" >&2; exit 1; }

collections="$("${root}/hack/collection-copy.sh" | tail -n 1)"
collections="${collections%/ansible_collections/*}"
export ANSIBLE_COLLECTIONS_PATH="${collections}"
# ansible-core must not pick up a stale copy from ~/.ansible/collections.
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false

rm -rf "${src}" "${out}/html" "${out}/doctrees"
# antsibull-docs insists on a directory only its owner can write to.
mkdir -p "${src}"
chmod 700 "${src}"

antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "${src}" \
    --project "eightbyeight.dynamic_campaigns" --copyright "eightbyeight.dynamic_campaigns contributors" \
    --title "eightbyeight.dynamic_campaigns" --html-short-title "8x8 dynamic campaigns" \
    eightbyeight.dynamic_campaigns >/dev/null

cat >>"${src}/conf.py" <<'PY'

# --- added by hack/docs.sh: offline build ---------------------------------------------------
# No intersphinx inventories can be fetched here; references into docs.ansible.com stay plain text.
intersphinx_mapping = {}
# Markdown pages (docs/*.md, maintained with the code) link to repository files outside the site.
suppress_warnings = ['ref.ref', 'myst.xref_missing']
extensions += ['sphinx.ext.graphviz', 'myst_parser']
graphviz_output_format = 'svg'
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
myst_heading_anchors = 3
exclude_patterns = ['examples/**/ci/**']


# The theme links its site title to "/" (docs.ansible.com's root), which leads nowhere when the site is
# browsed from files or served under a sub-path: link it to this site's index, relative to each page.
def _site_title_link(app, pagename, templatename, context, doctree):
    context['theme_documentation_home_url'] = context['pathto'](app.config.root_doc)


def setup(app):
    app.connect('html-page-context', _site_title_link)
PY

mkdir -p "${src}/rst"
chmod 700 "${src}/rst"
antsibull-docs --config-file "${src}/antsibull-docs.cfg" collection --use-current --fail-on-error \
    --cleanup everything --dest-dir "${src}/rst" eightbyeight.dynamic_campaigns >/dev/null

# Our pages: the index and guides (ours), the Markdown docs other people maintain (linked, not
# copied by hand), the example files the guides include, and the changelog.
cp "${root}/docs/index.rst" "${src}/rst/index.rst"
cp -r "${root}/docs/guides" "${src}/rst/guides"
mkdir -p "${src}/rst/examples"
[[ -d "${root}/docs/examples" ]] && cp -r "${root}/docs/examples/." "${src}/rst/examples/"
# Markdown pages link a role's README.md in the repository (right when browsing it); on the site the
# role has its own page.
find "${src}/rst/examples" -name '*.md' -exec sed -i -E \
    's#\]\((\.\./)+roles/([a-z0-9_]+)/README\.md\)#](/collections/eightbyeight/dynamic_campaigns/\2_role.rst)#g' {} +
[[ -d "${root}/docs/awx" ]] && cp -r "${root}/docs/awx" "${src}/rst/awx"
cp "${root}/CHANGELOG.rst" "${src}/rst/changelog.rst"

# A page listing every Markdown document under docs/ (found now, so pages others add appear).
{
    echo "Repository documents"
    echo "===================="
    echo
    echo "Documents maintained next to the code in the repository's \`\`docs/\`\` directory."
    echo
    echo ".. toctree::"
    echo "   :maxdepth: 1"
    echo
    (cd "${root}/docs" && find . -name '*.md' -not -path './build/*' -not -path './_build/*' | sed 's#^\./##' | sort) \
        | while read -r page; do
            [[ -f "${src}/rst/${page}" ]] || { mkdir -p "$(dirname "${src}/rst/${page}")"; cp "${root}/docs/${page}" "${src}/rst/${page}"; }
            echo "   ${page%.md}"
        done
} >"${src}/rst/repository-docs.rst"

# Markdown files that are not pages of the site (inside example trees) would be "not in any toctree".
sphinx-build -q -b html -d "${out}/doctrees" -c "${src}" -W --keep-going "${src}/rst" "${out}/html"
# Links that lead nowhere when browsing the files: "/" (the theme's default home), or a Markdown link
# MyST could not resolve (rendered as "#../path"; myst.xref_missing is suppressed above).
if broken="$(grep -rEo 'href="(/|#\.[^"]*)"' --include='*.html' "${out}/html" | sort -u)" && [[ -n "${broken}" ]]; then
    echo "docs: links that lead nowhere:" >&2
    echo "${broken//"${out}/html/"/    }" >&2
    exit 1
fi
echo "docs: built ${out#"${root}"/}/html/index.html"
