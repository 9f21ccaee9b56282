#!/usr/bin/env bash
# Security suite: every module's failure paths (401, 404, 5xx, connection reset, closed port, invalid
# JSON; the role once) at -vvvv, then a scan of everything they left behind for the tokens and their
# HTTP Basic auth values: the whole playbook output (stdout and stderr), every registered result, and
# campaign_customer's failed_records_path and progress_path files. Zero hits required. A control scan
# first proves the scanner finds a token that is there.
set -eu -o pipefail

config=../../integration_config.yml
value() { sed -n "s/^$1: //p" "${config}"; }
python="$(value ansible_python_interpreter)"
tenant="$(value dc_tenant)"
action_token="$(value dc_action_token)"
data_token="$(value dc_data_token)"
# setup_simulator (aliases: needs/target/setup_simulator) sits beside this target.
ANSIBLE_ROLES_PATH="$(cd .. && pwd)"
export ANSIBLE_ROLES_PATH

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
out="${work}/out"
mkdir -p "${out}/results" "${out}/files" "${work}/control"

# Wrong tokens for the 401 case: sent in the Authorization header, so they must not leak either.
wrong_action_token="act-wrong-$("${python}" -c 'import secrets; print(secrets.token_hex(6))')"
wrong_data_token="data-wrong-$("${python}" -c 'import secrets; print(secrets.token_hex(6))')"
export SCAN_TOKENS="${action_token} ${data_token} ${wrong_action_token} ${wrong_data_token}"
scan() { "${python}" scan.py "${tenant}" "$@"; }

masked() {
    local sed_args=() secret
    for secret in ${SCAN_TOKENS}; do
        sed_args+=(-e "s/${secret}/***/g" -e "s/$(printf '%s:%s' "${tenant}" "${secret}" | base64 | tr -d '=')/***/g")
    done
    sed "${sed_args[@]}" "$@"
}

# Control: the scanner must find a token, a Basic auth value and a header that are there, naming
# file and line, without printing them.
printf 'nothing here\nsome text %s more\n' "${action_token}" >"${work}/control/token.txt"
printf '{"auth": "%s"}\n' "$(printf '%s:%s' "${tenant}" "${data_token}" | base64)" >"${work}/control/basic.json"
printf 'Authorization: Basic %s\n' "$(printf 'someone:else' | base64)" >"${work}/control/header.log"
printf 'TASK [x] ********\n"msg": "token ********"\n' >"${work}/control/masked.log"
if scan "${work}/control" >"${work}/control.out" 2>&1; then
    cat "${work}/control.out" >&2
    echo "control: the scanner found nothing in files holding tokens: it cannot detect a leak" >&2
    exit 1
fi
for expected in "token.txt:2: token ${action_token:0:2}***" "basic.json:1: Basic auth value of ${tenant}:${data_token:0:2}***" \
    "header.log:1: an Authorization header value" "masked.log:2: a value Ansible masked as no_log"; do
    grep -qF "${expected}" "${work}/control.out" || { masked "${work}/control.out" >&2; echo "control: no '${expected}'" >&2; exit 1; }
done
if grep -qF -e "${action_token}" -e "${data_token}" "${work}/control.out"; then
    echo "control: the scanner printed a token" >&2
    exit 1
fi
grep -qF "masked.log:1:" "${work}/control.out" && { echo "control: an Ansible banner counted as a no_log mask" >&2; exit 1; }
echo "control: the scanner found the 4 planted secrets (file:line, masked) and passed a banner"

closed_port="$("${python}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
printf '%s\n' "---" "sec_wrong_action_token: ${wrong_action_token}" "sec_wrong_data_token: ${wrong_data_token}" \
    "sec_out: ${out}" "sec_closed_port: ${closed_port}" >"${work}/vars.yml"

started=${SECONDS}
if ! ansible-playbook -vvvv -i "${INVENTORY_PATH}" -e @"${config}" -e @"${work}/vars.yml" security.yml "$@" >"${out}/playbook.log" 2>&1; then
    echo "security: the failure-path playbook failed; its output (secrets masked), last 150 lines:" >&2
    masked "${out}/playbook.log" | tail -n 150 >&2
    exit 1
fi
echo "security: failure-path playbook passed in $((SECONDS - started))s at -vvvv ($(grep -c '^fatal: ' "${out}/playbook.log") failed tasks, ignored on purpose)"

# The output really is -vvvv, and the failures are in it.
for expected in "ESTABLISH LOCAL CONNECTION FOR USER" "answered 401" "answered 404" "invalid JSON" "got no answer"; do
    grep -qF "${expected}" "${out}/playbook.log" || { echo "security: no '${expected}' in the playbook output" >&2; exit 1; }
done

find "${out}" -type f -printf '  %P (%s bytes)\n' | sort
if ! scan "${out}"; then
    echo "security: a secret leaked (see LEAK lines above: file:line, secret masked)" >&2
    exit 1
fi
echo "security: no token, Basic auth value or Authorization header in any output, result or file"
