#!/usr/bin/env bash
# Run the GitOps example (docs/examples/gitops) through ansible-runner the way AWX runs a job: a fresh
# private data directory per job with the project, the credential injected as EIGHTBYEIGHT_*
# environment variables (env/envvars), a clean environment, --limit to one tenant. Drift report (check
# mode), apply, apply again with zero changed tasks, read back.
#
# ansible-runner writes the job's environment, tokens included, into artifacts/<ident>/command (AWX
# masks it, a plain runner does not). Every file of every job that holds a token must be one of those
# expected; then the jobs' directories are deleted.
set -eu -o pipefail

config=../../integration_config.yml
value() { sed -n "s/^$1: //p" "${config}"; }
python="$(value ansible_python_interpreter)"
bin="$(dirname "${python}")"
sim_url="$(value dc_sim_url)"
action_token="$(value dc_action_token)"
data_token="$(value dc_data_token)"
collections="${ANSIBLE_COLLECTIONS_PATH%%:*}"
example="${collections}/ansible_collections/eightbyeight/dynamic_campaigns/docs/examples/gitops"

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

fail() {
    # $1: job whose output to show (tokens masked); $2: message.
    echo "$2; output of job $1:" >&2
    sed -e "s/${action_token}/***/g" -e "s/${data_token}/***/g" "${work}/$1.out" >&2
    exit 1
}

job() {
    # $1: job name; $2: ansible-playbook options (env/cmdline). A new private data directory, as AWX
    # makes for every job: ansible-runner keeps --cmdline in env/cmdline, so a reused one would
    # run every later job in check mode too.
    local pdd="${work}/$1"
    mkdir -p "${pdd}/env"
    cp -a "${example}" "${pdd}/project"
    (
        umask 077
        printf '%s\n' "---" \
            "EIGHTBYEIGHT_BASE_URL: $(value dc_base_url)" \
            "EIGHTBYEIGHT_ACTION_TOKEN: ${action_token}" \
            "EIGHTBYEIGHT_DATA_TOKEN: ${data_token}" \
            "ANSIBLE_COLLECTIONS_PATH: ${collections}" >"${pdd}/env/envvars"
    )
    [[ -z "$2" ]] || printf '%s' "$2" >"${pdd}/env/cmdline"
    env -i HOME="${HOME}" LANG=C.UTF-8 PATH="${bin}:/usr/local/bin:/usr/bin:/bin" \
        "${bin}/ansible-runner" run "${pdd}" -p playbook.yml --inventory "${pdd}/project/inventory" \
        --limit tenant_acme --ident "$1" >"${work}/$1.out" 2>&1 \
        || fail "$1" "ansible-runner job $1 failed"
}

stats() {
    # Prints "<changed> <failures>" summed over hosts, from the job's playbook_on_stats event.
    "${python}" - "${work}/$1/artifacts/$1/job_events" <<'PY'
import json, pathlib, sys
for path in pathlib.Path(sys.argv[1]).glob("*.json"):
    event = json.loads(path.read_text())
    if event.get("event") == "playbook_on_stats":
        data = event["event_data"]
        print(sum(data.get("changed", {}).values()), sum(data.get("failures", {}).values()))
PY
}

writes() {
    # Number of write requests the simulator saw since the last call (then clears its log).
    "${python}" - "${sim_url}" <<'PY'
import json, sys, urllib.request
url = sys.argv[1] + "/requests"
log = json.load(urllib.request.urlopen(url))["requests"]
urllib.request.urlopen(urllib.request.Request(url, method="DELETE"))
print(sum(1 for entry in log if entry["method"] != "GET"))
PY
}

# The simulator's campaigns that the example's tenant_acme hosts declare.
ansible-playbook -i "${INVENTORY_PATH}" -e @"${config}" setup.yml "$@"
writes >/dev/null

job drift "--check --diff"
read -r changed failures <<<"$(stats drift)"
[[ "${failures}" == 0 && "${changed}" -gt 0 ]] || fail drift "drift: changed=${changed} failures=${failures}"
[[ "$(writes)" == 0 ]] || fail drift "drift: check mode wrote to the API"
grep -qF "campaign 4501: new -> running; customers added 20, already present 0" "${work}/drift.out" \
    || fail drift "drift: no summary line"
# 4501 is new and the role starts it before adding its customers: nothing to warn about.
if grep -qF "[WARNING]" "${work}/drift.out"; then fail drift "drift: a warning (see the output)"; fi

job apply ""
read -r changed failures <<<"$(stats apply)"
[[ "${failures}" == 0 && "${changed}" -gt 0 ]] || fail apply "apply: changed=${changed} failures=${failures}"
[[ "$(writes)" -gt 0 ]] || fail apply "apply: nothing was written"

job again ""
read -r changed failures <<<"$(stats again)"
[[ "${failures}" == 0 && "${changed}" == 0 ]] || fail again "again: changed=${changed} failures=${failures}, want 0 changed"
[[ "$(writes)" == 0 ]] || fail again "again: the second apply wrote to the API"

ansible-playbook -i "${INVENTORY_PATH}" -e @"${config}" verify.yml "$@"

# Tokens: only where they were put (env/envvars) and where ansible-runner is known to copy them.
leaks="$(grep -rlF -e "${action_token}" -e "${data_token}" "${work}" \
    | sed "s|^${work}/||" | grep -vxE '[a-z]+/env/envvars|[a-z]+/artifacts/[a-z]+/command' || true)"
if [[ -n "${leaks}" ]]; then
    echo "tokens found outside env/envvars and artifacts/*/command:" >&2
    echo "${leaks}" >&2
    exit 1
fi
grep -qF "${data_token}" "${work}"/*/artifacts/*/command \
    || { echo "expected ansible-runner to record the environment in artifacts/*/command" >&2; exit 1; }
rm -rf "${work}"
echo "campaign_lifecycle_runner: drift, apply and re-apply through ansible-runner passed; no token outside env/envvars and artifacts/*/command; artifacts deleted"
