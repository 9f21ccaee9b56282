#!/usr/bin/env bash
# The role on the Campaigns API v1, over a GitOps inventory with both APIs (inventory.yml): drift report (check
# mode, no ledger yet), apply, apply again (changed=0, the ledgers send nothing), drift report with the ledgers,
# then a declaration the API cannot carry out. Every run at -vvv: the API key must appear in no output.
set -eu -o pipefail

config=../../integration_config.yml
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
collection="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/eightbyeight/dynamic_campaigns"
api_key="$(sed -n 's/^api_key: //p' "${collection}/tests/simulator/fixtures/test.yml")"
[[ -n "${api_key}" ]] || { echo "no api_key in the simulator's test fixture" >&2; exit 1; }
args=(-e @"${config}" -e "v1_work=${work}" -e "v1_api_key=${api_key}")

run() {
    # $1: output name; the rest: ansible-playbook arguments. Output kept to scan it for the key.
    local name="$1"
    shift
    if ! ansible-playbook "${args[@]}" -vvv "$@" >"${work}/${name}.out" 2>&1; then
        sed "s/${api_key}/***/g" "${work}/${name}.out" | tail -n 80 >&2
        echo "campaign_lifecycle_v1: ${name} failed" >&2
        exit 1
    fi
}

ansible-playbook -i inventory.yml "${args[@]}" setup.yml
run drift -i inventory.yml lifecycle.yml -e v1_phase=drift --check --diff
ls "${work}"/*.sqlite >/dev/null 2>&1 && { echo "the drift report created a ledger" >&2; exit 1; }
run apply -i inventory.yml lifecycle.yml -e v1_phase=apply
run again -i inventory.yml lifecycle.yml -e v1_phase=again
grep -qE 'legacy_team +: ok=[0-9]+ +changed=0 ' "${work}/again.out" || { echo "again: legacy_team changed" >&2; exit 1; }
grep -qE 'v1_team +: ok=[0-9]+ +changed=0 ' "${work}/again.out" || { echo "again: v1_team changed" >&2; exit 1; }
grep -qE 'mixed_team +: ok=[0-9]+ +changed=0 ' "${work}/again.out" || { echo "again: mixed_team changed" >&2; exit 1; }
run report -i inventory.yml lifecycle.yml -e v1_phase=report --check --diff
grep -qF "cannot know: the state now: the ledger holds the last state an answer named" "${work}/report.out" \
    || { echo "report: no line says what the ledger cannot know" >&2; exit 1; }
grep -qF "whether the status changes: planned from the state the ledger saw, a run would send nothing" "${work}/report.out" \
    || { echo "report: no line says the status was planned from the ledger" >&2; exit 1; }
# The second play of refusals.yml declares no API key and no site: none may come from the environment.
unset EIGHTBYEIGHT_API_KEY EIGHTBYEIGHT_SITE
run refusals -i localhost, -c local refusals.yml

# Control: the scan finds the key in an output that shows it on purpose.
ansible -i localhost, localhost -c local "${args[@]}" -m ansible.builtin.debug -a var=v1_api_key >"${work}/control.out" 2>&1
grep -qF -- "${api_key}" "${work}/control.out" || { echo "control: the scan does not find the api_key" >&2; exit 1; }
for name in drift apply again report refusals; do
    if grep -qF -- "${api_key}" "${work}/${name}.out"; then
        echo "the api_key is in the output of ${name}:" >&2
        grep -nF -- "${api_key}" "${work}/${name}.out" | sed "s/${api_key}/***/g" | head -n 5 >&2
        exit 1
    fi
done
echo "campaign_lifecycle_v1: drift report, apply, re-apply (changed=0), report with ledgers, refusals passed; no api_key in any output"
