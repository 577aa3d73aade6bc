"""Field types that parse the contract's inner shapes where they match and keep raw JSON where not.

A surprising inner shape must never break the page: it becomes `Unparsed`, which the UI shows as
raw JSON with a note, while the rest of the job still renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, TypeVar

from pydantic import BaseModel, ConfigDict, PlainValidator, TypeAdapter, ValidationError, model_validator

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


T = TypeVar("T")

if TYPE_CHECKING:
    Lenient: TypeAlias = T | Unparsed | None
    """`Lenient[X]`, a field annotation: X where the value matches, `Unparsed` where not, or None."""
else:

    class Lenient:
        """`Lenient[X]`, a field annotation: X where the value matches, `Unparsed` where not, or None."""

        def __class_getitem__(cls, inner: Any) -> Any:
            return lenient(inner)


Unread = dict[str, tuple[Unparsed, ...]]
"""The items of a model's lists that could not be read, by field name (see `read_each`)."""


@dataclass(frozen=True)
class PerKey:
    """`read_each` marker of a `{key: [item]}` field (per-chain lists): items read one by one in each key."""

    item: Any


def _read_item(adapter: TypeAdapter[Any], item: Any, where: str) -> tuple[Any, Unparsed | None]:
    try:
        return adapter.validate_python(item), None
    except ValidationError as error:
        return None, Unparsed(raw=item, problem=f"{where}: {_describe(error)}")
    except (TypeError, ValueError, RecursionError) as error:
        return None, Unparsed(raw=item, problem=f"{where}: {type(error).__name__}")


def _read_list(adapter: TypeAdapter[Any], value: list[Any], where: str) -> tuple[list[Any], list[Unparsed]]:
    kept, bad = [], []
    for position, item in enumerate(value):
        read, problem = _read_item(adapter, item, f"{where}[{position}]")
        if problem is None:
            kept.append(read)
        else:
            bad.append(problem)
    return kept, bad


def _read_field(name: str, adapter: TypeAdapter[Any], per_key: bool, value: Any) -> tuple[Any, list[Unparsed]]:
    """(the readable part of `value` or None, the unreadable items)."""
    if not per_key:
        if not isinstance(value, list):
            return None, [Unparsed(raw=value, problem=f"{name}: expected a list")]
        return _read_list(adapter, value, name)
    if not isinstance(value, dict):
        return None, [Unparsed(raw=value, problem=f"{name}: expected an object of lists")]
    kept_by_key: dict[Any, list[Any]] = {}
    unread: list[Unparsed] = []
    for key, items in value.items():
        if not isinstance(items, list):
            unread.append(Unparsed(raw={key: items}, problem=f"{name}.{key}: expected a list"))
            continue
        kept_by_key[key], bad = _read_list(adapter, items, f"{name}.{key}")
        unread.extend(bad)
    return kept_by_key, unread


def read_each(**kinds: Any) -> Any:
    """A before-validator for a model whose lists are read item by item: one broken item never hides
    its siblings. The readable items stay in their field; the others go to the model's `unread`
    (declare `unread: Unread = {}`), kept as raw JSON with their problem for the page to show. A
    field that is not a list at all goes there whole and is left out (its default applies).
    `kinds` maps each field to its item type, or to `PerKey(item type)` for `{chain: [item]}`.

        _items = read_each(vh=Mutation, vl=Mutation)
    """
    readers = {
        name: (TypeAdapter(kind.item if isinstance(kind, PerKey) else kind), isinstance(kind, PerKey))
        for name, kind in kinds.items()
    }

    def split(data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        unread: dict[str, tuple[Unparsed, ...]] = {}
        for name, (adapter, per_key) in readers.items():
            if data.get(name) is None:
                continue
            kept, bad = _read_field(name, adapter, per_key, data[name])
            if kept is None:
                del data[name]
            else:
                data[name] = kept
            if bad:
                unread[name] = tuple(bad)
        data["unread"] = unread  # always ours: a payload's own "unread" key is never taken
        return data

    return model_validator(mode="before")(split)


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
