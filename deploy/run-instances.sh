#!/usr/bin/env bash
# Start N instances of the decision aid on 127.0.0.1, ports BASE_PORT.., for nginx
# (deploy/nginx.conf) to front. Runs in the foreground; a crashed instance is
# started again after RESTART_DELAY seconds while the others keep serving.
#
#   deploy/run-instances.sh 3            # three instances: 127.0.0.1:8601, :8602, :8603
#
# Every instance gets the same environment, which must hold:
#   STREAMLIT_SERVER_COOKIE_SECRET   one long random secret, the same on every instance (required)
#   DECISION_DB_URL                  the one PostgreSQL database for handoff records (required for N > 1)
#   CLINICIAN_PIN_HASH               the PIN hash (python -m decision set-pin), unless every
#                                    instance reads the same .streamlit/secrets.toml
# Optional: BASE_PORT (8601), PYTHON (.venv/bin/python), RESTART_DELAY (2 seconds).
#
# Stopping the script (Ctrl-C, SIGTERM) stops every instance. On a server, prefer
# the systemd unit (deploy/systemd/decision-aid@.service), one unit per port.
set -euo pipefail
cd "$(dirname "$0")/.."

n="${1:-2}"
base_port="${BASE_PORT:-8601}"
py="${PYTHON:-.venv/bin/python}"
restart_delay="${RESTART_DELAY:-2}"

case "$n" in
  '' | *[!0-9]*) echo "usage: $0 [number of instances, default 2]" >&2; exit 2 ;;
esac
if [ "$n" -lt 1 ]; then
  echo "usage: $0 [number of instances, default 2]" >&2; exit 2
fi
: "${STREAMLIT_SERVER_COOKIE_SECRET:?set STREAMLIT_SERVER_COOKIE_SECRET to the same long random secret on every instance}"
if [ "${#STREAMLIT_SERVER_COOKIE_SECRET}" -lt 32 ]; then
  echo "STREAMLIT_SERVER_COOKIE_SECRET is too short: use at least 32 random characters" >&2
  echo "  (e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))')" >&2
  exit 2
fi
if [ "$n" -gt 1 ] && [ -z "${DECISION_DB_URL:-}" ]; then
  echo "DECISION_DB_URL is not set: with $n instances, handoff records must live in one shared" >&2
  echo "  PostgreSQL database (postgresql+psycopg://user:password@host:5432/name)." >&2
  exit 2
fi
export STREAMLIT_SERVER_COOKIE_SECRET

# One instance, kept running: started again when it stops, until this script is stopped.
supervise() {
  local port="$1" child="" status
  trap '[ -n "$child" ] && kill "$child" 2>/dev/null; [ -n "$child" ] && wait "$child" 2>/dev/null; exit 0' TERM INT
  while :; do
    "$py" -m streamlit run app.py \
      --server.address 127.0.0.1 --server.port "$port" --server.headless true \
      --server.fileWatcherType none --browser.gatherUsageStats false &
    child=$!
    echo "instance on 127.0.0.1:$port started (pid $child)"
    status=0
    wait "$child" || status=$?
    child=""
    echo "instance on 127.0.0.1:$port stopped (exit $status); starting it again in ${restart_delay}s" >&2
    sleep "$restart_delay" &
    wait $! || true
  done
}

pids=()
stop_all() {
  trap - TERM INT EXIT
  if [ "${#pids[@]}" -gt 0 ]; then
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  exit 0
}
trap stop_all TERM INT EXIT

for i in $(seq 0 $((n - 1))); do
  supervise $((base_port + i)) &
  pids+=("$!")
done
wait
