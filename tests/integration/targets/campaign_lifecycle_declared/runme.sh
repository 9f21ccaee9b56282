#!/usr/bin/env bash
# The role's declared state as one truth, against the simulator: role-wide and per-campaign suppression and
# calling hours, exclusive with remove_customers, customers both in a (quoted) CSV file and removed, two
# hosts of a play declaring one campaign, and the summary of a run that fails part-way.
# Campaigns 4600-4699 belong to this target. The playbook asserts the simulator's state; this script also
# checks what the role printed when its run failed part-way.
set -eu -o pipefail

config=../../integration_config.yml
python="$(sed -n 's/^ansible_python_interpreter: //p' "${config}")"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
out="${work}/playbook.out"

# 100,000 customers, every field quoted (a comma in each note): the role reads it before any write.
"${python}" - "${work}/big.csv" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as handle:
    handle.write('"customer-id","note"\n')
    handle.writelines('"{0}","row {0}, quoted"\n'.format(cid) for cid in range(1100000, 1200000))
PY

ansible-playbook -i inventory.yml -e @"${config}" -e campaign_lifecycle_declared_big="${work}/big.csv" declared.yml "$@" | tee "${out}"

# The rescue's summary of the run that failed at campaign 4622: what was applied, what failed, what was
# not reached (the playbook checked the simulator's side).
for line in '"applied: 4621"' '"failed: 4622"' '"not reached: 4623, 4624"'; do
    grep -qF -- "${line}" "${out}" || { echo "campaign_lifecycle_declared: the summary of the failed run lacks ${line}" >&2; exit 1; }
done
# The refused declarations (file_and_removed, the two hosts) name no failed campaign: no campaign left over
# from an earlier run of the role in the play.
failed="$(grep -cF '"failed: 46' "${out}" || true)"
[[ "${failed}" == 1 ]] || { echo "campaign_lifecycle_declared: ${failed} summaries name a failed campaign, want 1 (4622)" >&2; exit 1; }
refused="$(grep -cF '"failed: none (the declaration was refused before any write)"' "${out}" || true)"
[[ "${refused}" == 3 ]] || { echo "campaign_lifecycle_declared: ${refused} summaries of refused declarations, want 3" >&2; exit 1; }
echo "campaign_lifecycle_declared: passed"
