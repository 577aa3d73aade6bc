#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite, browser tests included. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
echo "== ruff (lint and format check)"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy (types, configured in pyproject.toml)"
.venv/bin/mypy
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "!! pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit "$status"
