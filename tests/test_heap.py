"""app.heap: the objects alive at start-up leave the collector's generations, once per process."""

from __future__ import annotations

import gc

from app import heap


def test_freezes_the_objects_alive_now_once(monkeypatch):
    monkeypatch.setattr(heap, "_frozen", False)
    alive: object = object.__new__(type("Alive", (), {}))  # a tracked object that exists before the freeze
    assert gc.is_tracked(alive)
    try:
        assert heap.freeze_long_lived() is True
        frozen = gc.get_freeze_count()
        assert frozen >= len(gc.get_objects()) // 2  # most of the heap now sits in the permanent generation
        assert not any(o is alive for o in gc.get_objects())  # frozen objects are outside every generation
        assert heap.freeze_long_lived() is False  # the second call does nothing
        assert gc.get_freeze_count() == frozen
        later: object = object.__new__(type("Later", (), {}))
        assert any(o is later for o in gc.get_objects())  # what comes after is collected as usual
    finally:
        gc.unfreeze()
