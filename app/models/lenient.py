"""Field types that parse the contract's inner shapes where they match and keep raw JSON where not.

A surprising inner shape must never break the page: it becomes `Unparsed`, which the UI shows as
raw JSON with a note, while the rest of the job still renders.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainValidator, TypeAdapter, ValidationError

from app.scales import finite, to_fraction


class Unparsed(BaseModel):
    """An object whose shape the dashboard does not understand, kept as the service sent it."""

    model_config = ConfigDict(frozen=True)

    raw: Any
    problem: str


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "value"
    return f"{where}: {first.get('msg', 'unexpected shape')} ({error.error_count()} problem(s))"


def lenient(inner: Any) -> Any:
    """`inner | Unparsed | None`: validate as `inner`, fall back to `Unparsed` instead of failing."""
    adapter = TypeAdapter(inner)

    def validate(value: Any) -> Any:
        if value is None:
            return None
        try:
            return adapter.validate_python(value)
        except ValidationError as error:
            return Unparsed(raw=value, problem=_describe(error))
        except (TypeError, ValueError, RecursionError) as error:
            return Unparsed(raw=value, problem=type(error).__name__)

    # Typed as Any for the serializer: the value is `inner`, `Unparsed` or None.
    return Annotated[Any, PlainValidator(validate)]


def _fraction(value: Any) -> float | None:
    return to_fraction(value)


def _number(value: Any) -> float | None:
    return finite(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError("expected text")


def _optional_text(value: Any) -> str | None:
    try:
        return _text(value)
    except ValueError:
        return None


Fraction = Annotated[float | None, PlainValidator(_fraction)]
"""A 0-1 score that may arrive as 0-100; NaN and non-numbers become None."""

Number = Annotated[float | None, PlainValidator(_number)]
"""A finite float or None."""

Text = Annotated[str | None, PlainValidator(_text)]
"""Text; numbers are accepted and turned into text (position labels such as 52 vs "52")."""

OptionalText = Annotated[str | None, PlainValidator(_optional_text)]
"""Text where a value of another type is better dropped than allowed to reject its whole object."""


class Lax(BaseModel):
    """Base for the contract's shapes: unknown keys ignored, nothing mutable."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)
