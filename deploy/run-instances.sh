#!/usr/bin/env bash
# Start N instances of the decision aid on 127.0.0.1:8601.. for nginx to front.
#
#   deploy/run-instances.sh 3            # three instances, in the foreground
#
# Every instance must share:
#   STREAMLIT_SERVER_COOKIE_SECRET   the same long random secret (required here)
#   DECISION_DB_URL                  the same PostgreSQL database for handoffs
#   CLINICIAN_PIN_HASH               the same PIN hash (python -m decision set-pin)
# Stopping this script (Ctrl-C, SIGTERM) stops every instance. A process manager
# (systemd: deploy/systemd/decision-aid@.service) is the better choice in production.
set -euo pipefail
cd "$(dirname "$0")/.."

n="${1:-2}"
base_port="${BASE_PORT:-8601}"
py="${PYTHON:-.venv/bin/python}"
: "${STREAMLIT_SERVER_COOKIE_SECRET:?set STREAMLIT_SERVER_COOKIE_SECRET to the same random secret on every instance}"
if [ -z "${DECISION_DB_URL:-}" ] && [ "$n" -gt 1 ]; then
  echo "warning: DECISION_DB_URL is not set; each instance would keep handoffs in its own SQLite file only if they do not share a disk" >&2
fi
export STREAMLIT_SERVER_COOKIE_SECRET

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait || true; }
trap cleanup EXIT INT TERM

for i in $(seq 0 $((n - 1))); do
  port=$((base_port + i))
  "$py" -m streamlit run app.py \
    --server.address 127.0.0.1 --server.port "$port" --server.headless true \
    --browser.gatherUsageStats false &
  pids+=("$!")
  echo "instance $((i + 1)) on 127.0.0.1:$port (pid $!)"
done
wait -n
echo "an instance stopped; stopping the others" >&2
exit 1
