"""May this token read that job now? Asked of the service, remembered briefly per token fingerprint.

A review is shown or written only for a job its reader can open: the answer comes from the service
itself (a GET of the job with the reader's token), so a token whose access was withdrawn stops
seeing the review within `ttl_s` even while the job itself is still in a page cache.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

from cachetools import TTLCache

from app import errors

ACCESS_TTL_S = 60.0
DENIED = (errors.Forbidden, errors.JobNotFound, errors.Unauthorized, errors.InvalidJobId)


class ReadAccess:
    """`allowed(who, job_id, ask)`: True if `ask(job_id)` returned, False on 401/403/404/bad id.

    Other failures (timeouts, 5xx) propagate: not knowing is not permission, and is not remembered.
    """

    def __init__(
        self, ttl_s: float = ACCESS_TTL_S, max_entries: int = 4096, clock: Callable[[], float] = time.monotonic
    ):
        self._answers: TTLCache[tuple[Hashable, str], bool] = TTLCache(max_entries, ttl_s, timer=clock)
        self._lock = threading.Lock()

    def known(self, who: Hashable, job_id: str) -> bool | None:
        with self._lock:
            return self._answers.get((who, job_id))

    def note(self, who: Hashable, job_id: str, allowed: bool) -> None:
        with self._lock:
            self._answers[(who, job_id)] = allowed

    def allowed(self, who: Hashable, job_id: str, ask: Callable[[str], object]) -> bool:
        answer = self.known(who, job_id)
        if answer is not None:
            return answer
        try:
            ask(job_id)
            answer = True
        except DENIED:
            answer = False
        self.note(who, job_id, answer)
        return answer
