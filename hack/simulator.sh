#!/usr/bin/env bash
# Library (source it): start/stop the 8x8 API simulator (tests/simulator/run.py) in the background.
#   sim_start FIXTURE [PREFERRED_PORT]  -> sets SIM_PORT, SIM_PID, SIM_URL, SIM_LOG
#       with SIM_TLS=1 also an HTTPS listener (same state) -> sets SIM_TLS_URL and SIM_TLS_CA (its CA file)
#   sim_stop                            -> kills the simulator (idempotent; call it from a trap)
# The simulator log is kept under build/logs/ and is only shown (tokens masked) on failure.

SIM_ROOT="${SIM_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
SIM_PYTHON="${SIM_PYTHON:-${VENV:-${SIM_ROOT}/.venv}/bin/python}"
SIM_SCRIPT="${SIM_SCRIPT:-${SIM_ROOT}/tests/simulator/run.py}"
SIM_TIMEOUT="${SIM_TIMEOUT:-30}"
SIM_PID=""

sim_free_port() {
    # $1: preferred port (optional). Prints the preferred port when it is free, else any free one.
    "${SIM_PYTHON}" - "${1:-0}" <<'PY'
import socket
import sys

preferred = int(sys.argv[1])
for port in ([preferred] if preferred else []) + [0]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(sock.getsockname()[1])
        break
PY
}

sim_mask() {
    # Mask anything that looks like a credential before showing a log.
    sed -E -e 's/(act|data)-[A-Za-z0-9]+/\1-***/g' \
        -e 's/(Authorization:?["'\'' ]*[:=]?["'\'' ]*Basic )[A-Za-z0-9+\/=]+/\1***/Ig' \
        -e 's/(token["'\'' ]*[:=]["'\'' ]*)[^"'\'' ,}]+/\1***/Ig'
}

sim_start() {
    local fixture="$1" preferred="${2:-0}" deadline
    if [[ ! -f "${SIM_SCRIPT}" ]]; then
        echo "simulator: ${SIM_SCRIPT} does not exist" >&2
        return 1
    fi
    mkdir -p "${SIM_ROOT}/build/logs"
    SIM_PORT="$(sim_free_port "${preferred}")"
    SIM_URL="http://127.0.0.1:${SIM_PORT}"
    SIM_LOG="${SIM_ROOT}/build/logs/simulator-$(basename "${fixture}" .yml)-${SIM_PORT}.log"
    local tls_args=()
    if [[ "${SIM_TLS:-0}" == 1 ]]; then
        SIM_TLS_CA="${SIM_ROOT}/build/logs/tls-${SIM_PORT}/ca.pem"
        tls_args=(--tls-port 0 --tls-dir "$(dirname "${SIM_TLS_CA}")")
    fi
    "${SIM_PYTHON}" -u "${SIM_SCRIPT}" --host 127.0.0.1 --port "${SIM_PORT}" --fixture "${fixture}" "${tls_args[@]}" \
        >"${SIM_LOG}" 2>&1 </dev/null &
    SIM_PID=$!
    deadline=$((SECONDS + SIM_TIMEOUT))
    until grep -qF "listening on ${SIM_URL}" "${SIM_LOG}" 2>/dev/null; do
        if ! kill -0 "${SIM_PID}" 2>/dev/null; then
            echo "simulator: exited before listening; its log (masked):" >&2
            sim_mask <"${SIM_LOG}" >&2
            SIM_PID=""
            return 1
        fi
        if ((SECONDS >= deadline)); then
            echo "simulator: no 'listening on ${SIM_URL}' within ${SIM_TIMEOUT}s; its log (masked):" >&2
            sim_mask <"${SIM_LOG}" >&2
            sim_stop
            return 1
        fi
        sleep 0.2
    done
    if [[ "${SIM_TLS:-0}" == 1 ]]; then
        SIM_TLS_URL="$(grep -o 'listening on https://[0-9.:]*' "${SIM_LOG}" | head -n 1 | cut -d' ' -f3)"
        echo "simulator: HTTPS on ${SIM_TLS_URL} (CA ${SIM_TLS_CA#"${SIM_ROOT}"/})"
    fi
    echo "simulator: pid ${SIM_PID} listening on ${SIM_URL} (fixture ${fixture#"${SIM_ROOT}"/}, log ${SIM_LOG#"${SIM_ROOT}"/})"
}

sim_stop() {
    if [[ -n "${SIM_PID}" ]] && kill -0 "${SIM_PID}" 2>/dev/null; then
        kill "${SIM_PID}" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "${SIM_PID}" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "${SIM_PID}" 2>/dev/null || true
        wait "${SIM_PID}" 2>/dev/null || true
    fi
    SIM_PID=""
}
