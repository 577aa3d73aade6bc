"""The sample API server: the job API of ../shared/api-contract.md over real HTTP, on loopback.

`python -m app.sample_api --help` for the command line; `start_in_thread` for the dashboard's
embedded default and for tests.
"""

from app.sample_api.faults import FAULT_KINDS, FaultPlan  # noqa: F401
from app.sample_api.runner import RunningServer, start_in_thread  # noqa: F401
from app.sample_api.server import DEFAULT_DATA_DIR, create_app  # noqa: F401
from app.sample_api.store import SampleStore  # noqa: F401
