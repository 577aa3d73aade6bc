"""The per-user cache of what came from the service (finished jobs, structure files, listings).

Streamlit's caches are shared by every user of a server, so the key always holds a fingerprint of
the token (never the token itself): a job fetched with one token is never served to another. The
key is `(source, token fingerprint, what)`; unfinished jobs are never cached: their answer changes.
An entry that expired or was evicted is dropped here, and nothing else may hold the job: views
built from it are memoised by weak reference (components/memo.py) or by content.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import TTLCache

_PROCESS_SALT = secrets.token_bytes(32)


def token_fingerprint(token: str | None) -> str:
    """A short keyed hash of the token: stable within this process, useless outside it."""
    if not token:
        return "anonymous"
    return hmac.new(_PROCESS_SALT, token.encode(), hashlib.sha256).hexdigest()[:24]


class TtlCache:
    """cachetools' TTLCache (least recently used out first, each entry for `ttl_s`) behind a lock:
    Streamlit runs every session's script in its own thread."""

    def __init__(
        self, ttl_s: float = 600.0, max_entries: int = 64, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: TTLCache[Hashable, Any] = TTLCache(maxsize=max_entries, ttl=ttl_s, timer=clock)

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            self._entries.expire()  # cachetools keeps expired values until told: drop them now
            return self._entries.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries.expire()
            self._entries[key] = value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            self._entries.expire()
            return len(self._entries)
