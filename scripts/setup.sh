#!/usr/bin/env bash
# Set up everything the dashboard needs on a fresh machine; safe to run again.
#   scripts/setup.sh            runtime: .venv with the dashboard, and 3Dmol.js from the npm registry
#   scripts/setup.sh --test     also the test tools, and Debian's Chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    *) echo "usage: scripts/setup.sh [--test]" >&2; exit 2 ;;
  esac
done

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "$want_test" = 1 ]; then
  echo "== installing the dashboard and its test tools into .venv"
  .venv/bin/python -m pip install --quiet -e ".[test]"
else
  echo "== installing the dashboard into .venv"
  .venv/bin/python -m pip install --quiet -e .
fi

if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "== installing Debian's npm (3Dmol.js comes from the npm registry)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi
if [ -f scripts/fetch_3dmol.sh ]; then
  echo "== fetching 3Dmol.js (pinned, integrity-checked) from the npm registry"
  bash scripts/fetch_3dmol.sh
fi

# Debian packages the tests drive for real: PostgreSQL (review store) and nginx (scripts/serve.sh)
if [ "$want_test" = 1 ]; then
  missing=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "== installing Debian's ${missing[*]} for the tests"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "!! missing ${missing[*]}: run 'sudo apt-get install -y ${missing[*]}' to enable the tests that need them" >&2
    fi
  fi
fi

if [ "$want_test" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing Debian's chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "!! /usr/bin/chromium is missing: run 'sudo apt-get install -y chromium' to enable the browser tests" >&2
  fi
fi
echo "== set-up done"
