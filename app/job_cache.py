"""A per-process cache of finished jobs and their files, keyed by who asked.

Streamlit's caches are shared by every user of a server, so the key always holds a fingerprint of
the token (never the token itself): a job fetched with one token is never served to another.
Unfinished jobs are never cached: their answer changes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

_PROCESS_SALT = secrets.token_bytes(32)


def token_fingerprint(token: str | None) -> str:
    """A short keyed hash of the token: stable within this process, useless outside it."""
    if not token:
        return "anonymous"
    return hmac.new(_PROCESS_SALT, token.encode(), hashlib.sha256).hexdigest()[:24]


class TtlCache:
    """A small thread-safe LRU with a time-to-live, bounded by entry count."""

    def __init__(
        self, ttl_s: float = 600.0, max_entries: int = 64, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stored_at, value = entry
            if self._clock() - stored_at > self.ttl_s:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = (self._clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
