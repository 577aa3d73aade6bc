"""Memoising views by the identity of their inputs.

The per-user caches hand out the same objects on every rerun (the fetched job, the structure file,
its parse, the reviewed strategies), so tables, figures and colourings built from them can be kept
by identity: no hashing of large, unhashable contents, and nothing rebuilt on a rerun.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R")


class _Same:
    """Hashes and compares by identity; holding the value keeps its id from being reused."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.value is self.value


@functools.lru_cache(maxsize=128)
def _memo(builder: Callable[..., Any], *keys: _Same) -> Any:
    return builder(*(key.value for key in keys))


def view(builder: Callable[..., R], *inputs: object) -> R:
    """`builder(*inputs)`, once per identity of the inputs. `builder` must be a module-level function."""
    return _memo(builder, *(_Same(value) for value in inputs))
