#!/usr/bin/env bash
# Conformance of the Python reference chip host (examples/python-chip-host) against the grasp-hil
# chip driver protocol: installs Debian's python3-grpcio, python3-grpc-tools and python3-numpy when
# missing, starts the host on a free loopback port with a token, runs
# `grasp-hil chip conformance --address 127.0.0.1:<port> --token …`, stops the host, and exits with
# the suite's status. Run from the repository root: bash scripts/ci-hil-conformance.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PY=/usr/bin/python3
if ! "$PY" -c 'import grpc, grpc_tools, numpy' 2>/dev/null; then
  echo "ci-hil-conformance: installing python3-grpcio python3-grpc-tools python3-numpy"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq python3-grpcio python3-grpc-tools python3-numpy >/dev/null
fi

TOKEN="ci-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
LOG="$(mktemp)"
"$PY" examples/python-chip-host/chip_host.py --host 127.0.0.1 --port 0 --token "$TOKEN" >"$LOG" 2>&1 &
HOST_PID=$!
trap 'kill "$HOST_PID" 2>/dev/null || true; wait "$HOST_PID" 2>/dev/null || true; rm -f "$LOG"' EXIT

ADDRESS=""
for _ in $(seq 1 120); do
  ADDRESS="$(grep -o 'listening on 127\.0\.0\.1:[0-9]*' "$LOG" | sed 's/listening on //' || true)"
  [ -n "$ADDRESS" ] && break
  if ! kill -0 "$HOST_PID" 2>/dev/null; then
    echo "ci-hil-conformance: the Python chip host exited:"; cat "$LOG"; exit 1
  fi
  sleep 0.5
done
if [ -z "$ADDRESS" ]; then
  echo "ci-hil-conformance: the Python chip host did not start within 60 s:"; cat "$LOG"; exit 1
fi
echo "ci-hil-conformance: $(cat "$LOG")"
node --import tsx src/cli/main.ts chip conformance --address "$ADDRESS" --token "$TOKEN"
