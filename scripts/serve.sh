#!/usr/bin/env bash
# N dashboard replicas behind nginx on this machine (see app/serve.py and docs/deploy.md).
#   bash scripts/serve.sh --replicas 2 --port 8500
# Reviews go to ABDASH_REVIEW_DB_URL when set, else to a local PostgreSQL kept in var/serve-postgres
# (--ephemeral-db: a throwaway one). Ctrl-C or SIGTERM stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
if [ ! -x "$PYTHON" ]; then
  bash scripts/setup.sh
fi

# Debian's nginx and PostgreSQL, installed when missing and we are root (as scripts/setup.sh --test does)
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ -z "${ABDASH_REVIEW_DB_URL:-}" ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing Debian's ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "!! missing ${missing[*]}: run 'sudo apt-get install -y ${missing[*]}'" >&2
    exit 1
  fi
fi
export PATH="$PATH:/usr/sbin"

# The supervisor runs in the foreground as this shell's child; it stops its own process groups on
# SIGTERM/SIGINT. The trap forwards a SIGTERM sent to this script and waits for the supervisor.
"$PYTHON" -m app.serve "$@" &
supervisor=$!
trap 'kill -TERM "$supervisor" 2>/dev/null || true' TERM INT HUP
while kill -0 "$supervisor" 2>/dev/null; do
  wait "$supervisor" || true  # returns early when a trapped signal arrives
done
status=0
wait "$supervisor" || status=$?  # the supervisor's own exit code
exit "$status"
