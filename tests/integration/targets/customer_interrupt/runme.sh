#!/usr/bin/env bash
# Interrupted half-way: an upload of customers from a CSV file runs in ansible-playbook (its own session);
# once part of them are in the campaign, the module's process (the AnsiballZ python under the playbook's
# worker) gets a signal:
#   - SIGKILL: the module cannot report; the task fails with rc 137.
#   - SIGTERM, SIGINT: the module stops sending, counts what was in flight and fails with changed=true and
#     a summary whose `added` is exactly what the campaign holds.
# The same playbook then runs again: it must finish the job, count exactly what the interrupted run had
# left (already_present) and what it added itself, and the campaign must hold exactly the declared
# customers. Campaigns 5601-5603 (ids 5600-5699 belong to this target).
set -eu -o pipefail

config=../../integration_config.yml
value() { sed -n "s/^$1: //p" "${config}"; }
python="$(value ansible_python_interpreter)"
sim_url="$(value dc_sim_url)"
first=1200001

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

records() { sim GET "/campaigns/$1" "" records_total; }

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
    echo "customer_interrupt: $1; first run's output:" >&2
    cat "${work}/first.out" >&2 || true
    exit 1
}

interrupted_result() {
    # The first run's failed task result, as the default callback prints it: "failed changed added message".
    "${python}" - "${work}/first.out" <<'PY'
import json, sys
line = next(line for line in open(sys.argv[1]) if "FAILED! => " in line)
result = json.loads(line.split("FAILED! => ", 1)[1])
print(True, result.get("changed"), result.get("summary", {}).get("added"), result.get("msg", "").replace("\n", " "))
PY
}

interrupt_run() {
    # $1: signal name, $2: campaign, $3: customers in the file.
    local signal="$1" campaign="$2" total="$3" rc=0 pids before present
    sim PUT "/campaigns/${campaign}" '{"status": "RUNNING"}' >/dev/null
    { echo "customer-id"; seq "${first}" $((first + total - 1)); } >"${work}/customers.csv"
    # Every request slowed down so the upload takes ~10 s.
    sim PATCH /faults '{"latency_ms": 100}' >/dev/null
    playbook=(ansible-playbook -i "${INVENTORY_PATH}" -e @"${config}" -e "sk_campaign=${campaign} sk_first=${first} sk_total=${total}"
        -e "sk_file=${work}/customers.csv" upload.yml)
    setsid "${playbook[@]}" >"${work}/first.out" 2>&1 &
    playbook_pid=$!
    # Wait until a fifth of the customers are in, then signal the module.
    local deadline=$((SECONDS + 120))
    until (($(records "${campaign}") >= total / 5)); do
        ((SECONDS < deadline)) || fail "the upload did not reach $((total / 5)) records in 120 s"
        kill -0 "${playbook_pid}" 2>/dev/null || fail "the first run ended before the ${signal}"
        sleep 0.2
    done
    pids="$(module_pid "${playbook_pid}")"
    [[ "${pids}" =~ ^[0-9]+$ ]] || fail "expected one module process under ansible-playbook, found '${pids}'"
    kill "-${signal}" "${pids}"
    echo "customer_interrupt: sent SIG${signal} to the module process ${pids} at $(records "${campaign}") of ${total} records"
    wait "${playbook_pid}" || rc=$?
    playbook_pid=""
    ((rc != 0)) || fail "the first run succeeded although its module got SIG${signal}"
    # Full speed again; requests in flight at the signal may still land: wait until the count holds still.
    sim DELETE /faults >/dev/null
    before=-1
    present="$(records "${campaign}")"
    while ((present != before)); do
        sleep 1
        before="${present}"
        present="$(records "${campaign}")"
    done
    echo "customer_interrupt: ${present} of ${total} customers were in the campaign after the SIG${signal}"
    ((present > 0 && present < total)) || fail "the SIG${signal} was not half-way (${present} of ${total})"
    if [[ "${signal}" == KILL ]]; then
        grep -qE '"rc": (137|-9)' "${work}/first.out" || fail "the first run does not report its module killed by SIGKILL (rc 137)"
    else
        read -r failed changed added message <<<"$(interrupted_result)"
        [[ "${failed} ${changed} ${added}" == "True True ${present}" ]] \
            || fail "after SIG${signal}: failed=${failed} changed=${changed} added=${added}, expected True True ${present}"
        [[ "${message}" == *"interrupted by SIG${signal}"*"Run the task again to finish"* ]] || fail "after SIG${signal}: message '${message}'"
    fi
    "${playbook[@]}" -e "sk_present_before=${present}"
    echo "customer_interrupt: after SIG${signal} the second run added $((total - present)), found ${present} present; the campaign holds exactly the ${total} customers"
}

interrupt_run KILL 5601 20000
interrupt_run TERM 5602 10000
interrupt_run INT 5603 10000
