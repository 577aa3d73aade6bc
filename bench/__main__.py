"""`python -m bench`: the dashboard's benchmark (see bench/run.py)."""

from bench.run import main

raise SystemExit(main())
