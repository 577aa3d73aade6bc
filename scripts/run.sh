#!/usr/bin/env bash
# Set up (if needed) and start the dashboard. Without ABDASH_API_URL it serves its own sample jobs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PORT=${PORT:-8501}
echo "== open http://127.0.0.1:${PORT} in your browser"
exec .venv/bin/python -m streamlit run streamlit_app.py --server.port "$PORT" --server.address 127.0.0.1 "$@"
