#!/usr/bin/env bash
# SIGKILL half-way: an upload of 20,000 customers from a CSV file runs in ansible-playbook (its own
# session); once part of them are in the campaign, the module's process (the AnsiballZ python under the
# playbook's worker) gets SIGKILL. The same playbook then runs again: it must finish the job, count
# exactly what the killed run had left (already_present) and what it added itself, and the campaign
# must hold exactly the declared customers. Campaign 5601 (ids 5600-5699 belong to this target).
set -eu -o pipefail

config=../../integration_config.yml
value() { sed -n "s/^$1: //p" "${config}"; }
python="$(value ansible_python_interpreter)"
sim_url="$(value dc_sim_url)"
campaign=5601
first=1200001
total=20000

work="$(mktemp -d)"
playbook_pid=""

sim() {
    # $1: method, $2: path under /_sim, $3: JSON body (optional), $4: field of the answer to print (optional).
    "${python}" - "${sim_url}$2" "$1" "${3:-}" "${4:-}" <<'PY'
import json, sys, urllib.request
url, method, body, field = sys.argv[1:5]
request = urllib.request.Request(url, method=method, data=body.encode() or None, headers={"Content-Type": "application/json"})
answer = json.load(urllib.request.urlopen(request))
print(answer[field] if field else "")
PY
}

records() { sim GET "/campaigns/${campaign}" "" records_total; }

cleanup() {
    [[ -z "${playbook_pid}" ]] || kill -KILL -- "-${playbook_pid}" 2>/dev/null || true
    sim DELETE /faults >/dev/null 2>&1 || true
    rm -rf "${work}"
}
trap cleanup EXIT

module_pid() {
    # The module process: a descendant of ansible-playbook running the interpreter alone (pipelining
    # feeds it the module on stdin) or an AnsiballZ file. ansible-core >= 2.19 starts each worker in a
    # session of its own, so the process tree is walked, not the process group.
    ps -e -o pid=,ppid=,args= | "${python}" -c '
import sys
root, python = sys.argv[1], sys.argv[2]
children, args = {}, {}
for line in sys.stdin:
    pid, ppid, *command = line.split(None, 2)
    children.setdefault(ppid, []).append(pid)
    args[pid] = command[0].strip() if command else ""
todo, found = [root], []
while todo:
    for child in children.get(todo.pop(), []):
        todo.append(child)
        if args[child] == python or (args[child].startswith(python + " ") and "AnsiballZ_" in args[child]):
            found.append(child)
print(" ".join(found))
' "$1" "${python}"
}

fail() {
    echo "customer_sigkill: $1; first run's output:" >&2
    cat "${work}/first.out" >&2 || true
    exit 1
}

# A running campaign with no records; every request slowed down so the upload takes ~10 s.
sim PUT "/campaigns/${campaign}" '{"status": "RUNNING"}' >/dev/null
{ echo "customer-id"; seq "${first}" $((first + total - 1)); } >"${work}/customers.csv"
sim PATCH /faults '{"latency_ms": 100}' >/dev/null

playbook=(ansible-playbook -i "${INVENTORY_PATH}" -e @"${config}" -e "sk_campaign=${campaign} sk_first=${first} sk_total=${total}"
    -e "sk_file=${work}/customers.csv" upload.yml "$@")
setsid "${playbook[@]}" >"${work}/first.out" 2>&1 &
playbook_pid=$!

# Wait until a fifth of the customers are in, then kill the module.
deadline=$((SECONDS + 120))
until (($(records) >= total / 5)); do
    ((SECONDS < deadline)) || fail "the upload did not reach $((total / 5)) records in 120 s"
    kill -0 "${playbook_pid}" 2>/dev/null || fail "the first run ended before the kill"
    sleep 0.2
done
pids="$(module_pid "${playbook_pid}")"
[[ "${pids}" =~ ^[0-9]+$ ]] || fail "expected one module process under ansible-playbook, found '${pids}'"
kill -KILL "${pids}"
echo "customer_sigkill: sent SIGKILL to the module process ${pids} at $(records) of ${total} records"
rc=0
wait "${playbook_pid}" || rc=$?
playbook_pid=""
((rc != 0)) || fail "the first run succeeded although its module was killed"
grep -qE '"rc": (137|-9)' "${work}/first.out" \
    || fail "the first run does not report its module killed by SIGKILL (rc 137)"

# Full speed again; requests in flight at the kill may still land: wait until the count holds still.
sim DELETE /faults >/dev/null
before=-1
present="$(records)"
while ((present != before)); do
    sleep 1
    before="${present}"
    present="$(records)"
done
echo "customer_sigkill: ${present} of ${total} customers were in the campaign after the kill"
((present > 0 && present < total)) || { echo "customer_sigkill: the kill was not half-way (${present} of ${total})" >&2; exit 1; }

"${playbook[@]}" -e "sk_present_before=${present}"
echo "customer_sigkill: the second run added $((total - present)), found ${present} present; the campaign holds exactly the ${total} customers"
