"""The caching rule (docs/architecture.md): the per-user cache is the only owner of a fetched job;
views memoised from it hold it weakly, so once its entry expired or was evicted the job is freed."""

from __future__ import annotations

import gc
import weakref

import pytest

from app.job_cache import TtlCache
from components import memo

CETUXIMAB_FULL = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"  # every section: strategies, structure, stability, …


class Job:
    """Stands in for a fetched job: weakly referenceable, hashed by identity."""


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_and_the_least_recent_goes_first() -> None:
    clock = Clock()
    cache = TtlCache(ttl_s=10, max_entries=2, clock=clock)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and len(cache) == 2
    clock.now = 10.5
    assert cache.get("a") is None and len(cache) == 0


def test_an_expired_entry_is_not_kept() -> None:
    clock = Clock()
    cache = TtlCache(ttl_s=10, max_entries=8, clock=clock)
    job = Job()
    alive = weakref.ref(job)
    cache.put("job", job)
    del job
    clock.now = 11
    assert cache.get("other") is None  # any use of the cache drops what expired
    gc.collect()
    assert alive() is None


def test_a_view_is_built_once_per_input_and_does_not_keep_it_alive() -> None:
    calls: list[int] = []

    def build(job: Job, scale: int) -> tuple[int, int]:
        calls.append(scale)
        return (len(calls), scale)

    job = Job()
    alive = weakref.ref(job)
    first = memo.view(build, job, 2)
    assert memo.view(build, job, 2) is first and calls == [2]
    assert memo.view(build, Job(), 2) is not first  # another object: built again
    del job, first
    gc.collect()
    assert alive() is None
    kept = Job()
    memo.view(build, kept, 3)  # the next call drops the entries whose input was collected
    assert all(
        all(not isinstance(h, weakref.ref) or h() is not None for h in held) for held, _ in memo._entries.values()
    )


def test_nothing_keeps_a_job_alive_once_its_cache_entry_went(open_page) -> None:
    """Open every section of a full job (parses, reviews, figures and tables are memoised), let the
    per-user cache drop it, and the job object is freed."""
    from components import services

    memo.clear()
    sections = ["Overview", "Humanization", "Structure", "Stability", "Immunogenicity", "Complex"]
    for section in sections:
        at = open_page(CETUXIMAB_FULL, section=section)
        assert not at.exception, (section, [e.message for e in at.exception])
    cache = services.job_cache()
    [fetched] = [v for k, v in cache._entries.items() if isinstance(k, tuple) and k[-1] == CETUXIMAB_FULL]
    alive = weakref.ref(fetched)
    assert any(_holds(held, fetched) for held, _ in memo._entries.values())  # views were memoised from it
    del fetched, at
    cache.clear()  # what expiry or eviction does
    gc.collect()
    if alive() is not None:
        referrers = [type(r).__name__ for r in gc.get_referrers(alive())]
        pytest.fail(f"the job outlived its cache entry; held by {referrers}")


def _holds(held: tuple[object, ...], value: object) -> bool:
    return any((h() if isinstance(h, weakref.ref) else h) is value for h in held)
