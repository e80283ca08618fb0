#!/usr/bin/env bash
# Keep one app process running: `make run` starts the app through this script.
#
#   deploy/supervise.sh COMMAND [ARGS...]
#
# When COMMAND stops with an error or is killed by a signal (a crash: SIGBUS, out of
# memory, kill -9), a line goes to standard error and it is started again after
# RESTART_DELAY seconds (2). It is not started again when it exits with 0, when this
# script is stopped (Ctrl-C, SIGTERM: the app is stopped too), or after MAX_QUICK_CRASHES
# (5) crashes in a row that each came within 30 seconds of a start (a setting that stops
# it at once would only fill the log). Exits with the app's last status.
set -uo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
delay="${RESTART_DELAY:-2}"
max_quick="${MAX_QUICK_CRASHES:-5}"
child=""

stop() {
  trap - TERM INT
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  exit 0
}
trap stop TERM INT

quick=0
while :; do
  started=$SECONDS
  "$@" &
  child=$!
  status=0
  wait "$child" || status=$?
  child=""
  if [ "$status" -eq 0 ]; then
    exit 0
  fi
  if [ $((SECONDS - started)) -lt 30 ]; then
    quick=$((quick + 1))
  else
    quick=1
  fi
  if [ "$quick" -ge "$max_quick" ]; then
    echo "$(date -u +%FT%TZ) supervise: the app stopped (exit $status) $quick times in a row just after starting; not starting it again" >&2
    exit "$status"
  fi
  echo "$(date -u +%FT%TZ) supervise: the app stopped (exit $status); starting it again in ${delay}s" >&2
  sleep "$delay" &
  wait $! || true
done
