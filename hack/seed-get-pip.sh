#!/usr/bin/env bash
# Seed ansible-test's get-pip cache with a stand-in script.
#
# ansible-test creates its venvs without pip and then downloads get-pip from a host that is not
# reachable from these machines. It looks for ~/.ansible/test/cache/get_pip_<version>.py first.
# The stand-in runs `ensurepip` in a subprocess (in-process ensurepip wipes the pip configuration,
# and the next install then fails certificate checks), then `pip install` with the arguments it was
# given, minus --no-setuptools/--no-wheel.
#
# pip 24.2 is what ansible-core 2.19 asks for, 25.2 is ansible-core 2.21.
# A real (downloaded) get-pip script already in the cache is left alone.
set -euo pipefail

cache_dir="${HOME}/.ansible/test/cache"
marker="# eightbyeight get-pip stand-in v2"
mkdir -p "${cache_dir}"

for version in 24_2 25_2; do
    target="${cache_dir}/get_pip_${version}.py"
    if [[ -f "${target}" ]] && ! grep -q "^# eightbyeight get-pip stand-in" "${target}"; then
        echo "seed-get-pip: keeping existing ${target}"
        continue
    fi
    if [[ -f "${target}" ]] && grep -qxF "${marker}" "${target}"; then
        continue
    fi
    tmp="$(mktemp "${target}.XXXXXX")"
    cat > "${tmp}" <<PY
${marker}
"""Stand-in for get-pip.py used by ansible-test (see hack/seed-get-pip.sh)."""
import subprocess
import sys

DROPPED = {"--no-setuptools", "--no-wheel"}


def main():
    args = [arg for arg in sys.argv[1:] if arg not in DROPPED]
    # ensurepip's chatter goes to /dev/null; its errors (stderr) stay visible.
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"], stdout=subprocess.DEVNULL)
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet"] + args)


if __name__ == "__main__":
    main()
PY
    mv "${tmp}" "${target}"
    echo "seed-get-pip: wrote ${target}"
done
