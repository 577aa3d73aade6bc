"""app.heap: the objects alive at start-up leave the collector's generations, once per process.

The check runs in a fresh interpreter: freezing is process-wide, so in the test process its result
would depend on what earlier tests froze, allocated or collected.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import ROOT

CHECK = textwrap.dedent(
    """
    import gc
    import weakref
    import pandas, plotly.graph_objects  # a heap like the dashboard's at start-up
    from app import heap

    alive = object.__new__(type("Alive", (), {}))  # a tracked object that exists before the freeze
    assert gc.is_tracked(alive)
    gc.collect()
    before = len(gc.get_objects())
    gc.disable()  # nothing collects from here to the freeze but the freeze's own collection
    dead = weakref.ref(type("Garbage", (), {}))  # a class is in reference cycles of its own:
    assert dead() is not None  # unreachable now, yet alive until a collection: garbage at the freeze
    assert heap.freeze_long_lived() is True
    frozen = gc.get_freeze_count()
    assert frozen >= before - 100, (frozen, before)  # the whole heap of the moment is now permanent
    assert len(gc.get_objects()) < 1000  # and no collection walks it any more
    assert dead() is None  # the garbage of the moment was collected, not frozen
    assert not any(o is alive for o in gc.get_objects())  # frozen objects are outside every generation
    assert heap.freeze_long_lived() is False  # the second call does nothing
    assert gc.get_freeze_count() == frozen
    later = object.__new__(type("Later", (), {}))
    assert any(o is later for o in gc.get_objects())  # what comes after is collected as usual
    print("ok", before, frozen, len(gc.get_objects()))
    """
)


def test_freezes_the_objects_alive_now_once() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    words = done.stdout.split()
    assert words[0] == "ok" and int(words[1]) > 50_000, done.stdout  # pandas + plotly: a real heap was frozen
