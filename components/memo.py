"""Memoising views by the identity of their inputs, without keeping those inputs alive.

The per-user cache hands out the same objects on every rerun (the fetched job, the structure file,
its parse, the reviewed strategies), so tables, figures and colourings built from them can be kept
by identity: no hashing of large, unhashable contents, and nothing rebuilt on a rerun.

An entry holds its inputs by weak reference and goes when one of them is collected: once the job
cache lets a job go, nothing here keeps it (or what was built from it) alive. Inputs that cannot be
weakly referenced (tuples, numbers, strings, None) are held as they are, so pass the job itself,
never inside a tuple. A builder's result must not hold its inputs.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

R = TypeVar("R")

MAX_ENTRIES = 128

_Key = tuple[Hashable, ...]
_entries: OrderedDict[_Key, tuple[tuple[Any, ...], Any]] = OrderedDict()
_dead: deque[_Key] = deque()  # keys whose input was collected (appended by weakref callbacks)
_lock = threading.Lock()


def _hold(value: object, key: _Key) -> Any:
    try:
        return weakref.ref(value, lambda _ref: _dead.append(key))
    except TypeError:  # not weakly referenceable: held, so its id cannot be reused meanwhile
        return value


def _same(held: Any, value: object) -> bool:
    return (held() if isinstance(held, weakref.ref) else held) is value


def view(builder: Callable[..., R], *inputs: object) -> R:
    """`builder(*inputs)`, once per identity of the inputs. `builder` must be a module-level function."""
    key: _Key = (builder, *(id(value) for value in inputs))
    with _lock:
        while _dead:
            _entries.pop(_dead.popleft(), None)
        found = _entries.get(key)
        if found is not None and all(_same(h, v) for h, v in zip(found[0], inputs)):
            _entries.move_to_end(key)
            return found[1]
    result = builder(*inputs)
    with _lock:
        _entries[key] = (tuple(_hold(value, key) for value in inputs), result)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return result


def clear() -> None:
    """Forget every view (tests)."""
    with _lock:
        _entries.clear()
        _dead.clear()
