"""Normalisation of scores that arrive as 0-1 or 0-100, done once where the data enters.

Fractions (confidence, risks, humanness) are kept as 0-1; pLDDT is kept as 0-100, the scale
AlphaFold DB and Mol* use for its bands.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any


def finite(value: Any) -> float | None:
    """A float, or None for anything that is not a finite number (NaN, inf, text, bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def to_fraction(value: Any) -> float | None:
    """A 0-1 score from a 0-1 or 0-100 number (values above 1 mean 0-100); None if not a score."""
    number = finite(value)
    if number is None or number < 0:
        return None
    if number > 1:
        number /= 100.0
    return number if number <= 1 else None


def plddt_scale_factor(values: Iterable[Any]) -> float:
    """100 if every value of the set is <= 1 (a 0-1 set), else 1."""
    numbers = [n for n in (finite(v) for v in values) if n is not None]
    if numbers and max(numbers) <= 1.0:
        return 100.0
    return 1.0


def plddt_values_0_100(values: Iterable[Any]) -> list[float | None]:
    """pLDDT on 0-100 from a set in either scale; non-numbers and out-of-range values become None."""
    values = list(values)
    factor = plddt_scale_factor(values)
    out: list[float | None] = []
    for value in values:
        number = finite(value)
        if number is None:
            out.append(None)
            continue
        number *= factor
        out.append(number if 0 <= number <= 100 else None)
    return out
