"""Reading a run's files safely: paths confined to the results folder, sizes capped before reading,
JSON and npz parsed without executing anything (`np.load(..., allow_pickle=False)`).

Every failure is a `RunFileError` whose message names the file (relative to the run) and is safe to
show; the caller shows it and goes on with the rest of the run.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

MAX_JSON_BYTES = 512 * 2**20  # an AF3 full_data JSON of a 5,000-token job is ~150 MB
MAX_NPZ_BYTES = 512 * 2**20  # uncompressed, summed over the archive's members
MAX_STRUCTURE_BYTES = 200 * 2**20


class RunFileError(ValueError):
    """A file of a run could not be used. The message is safe to show."""


class PathRefused(RunFileError):
    """A path that leaves the results folder (`..`, absolute, a link pointing outside)."""


def _mb(size: int) -> str:
    return f"{size / 2**30:.1f} GB" if size >= 2**30 else f"{size / 2**20:.1f} MB"


def resolve_inside(root: Path, relative: str) -> Path:
    """`root/relative`, refused unless it stays inside `root` once links are followed."""
    text = (relative or "").strip()
    if "\x00" in text:
        raise PathRefused("The run path holds a NUL character.")
    pure = PurePosixPath(text.replace("\\", "/"))
    if pure.is_absolute() or text.startswith(("/", "\\")) or (len(text) > 1 and text[1] == ":"):
        raise PathRefused("Absolute paths are refused: give the run folder relative to the results folder.")
    if any(part == ".." for part in pure.parts):
        raise PathRefused("Paths with '..' are refused: runs are opened only inside the results folder.")
    base = root.resolve()
    target = (base / pure).resolve()
    if target != base and base not in target.parents:
        raise PathRefused("That path leads outside the results folder (through a link), so it is refused.")
    return target


def is_inside(root: Path, path: Path) -> bool:
    """True when `path`, links followed, is `root` or below it."""
    base = root.resolve()
    try:
        target = path.resolve()
    except OSError:
        return False
    return target == base or base in target.parents


def checked_size(path: Path, cap: int, what: str, shown: str) -> int:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise RunFileError(f"{shown}: cannot be read ({error.strerror or 'error'}).") from None
    if size > cap:
        raise RunFileError(f"{shown} is {_mb(size)}, above the {_mb(cap)} limit for {what}: it was not read.")
    if size == 0:
        raise RunFileError(f"{shown} is empty.")
    return size


def read_json(path: Path, shown: str, cap: int = MAX_JSON_BYTES) -> Any:
    checked_size(path, cap, "a JSON file", shown)
    try:
        with path.open("rb") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise RunFileError(
            f"{shown} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "perhaps it was cut short while being written or copied."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise RunFileError(f"{shown} could not be read: {str(error)[:160]}") from None


def read_json_object(path: Path, shown: str, cap: int = MAX_JSON_BYTES) -> dict[str, Any]:
    data = read_json(path, shown, cap)
    if not isinstance(data, dict):
        raise RunFileError(f"{shown} holds a JSON {type(data).__name__}, not the object the tool writes.")
    return data


def read_text(path: Path, shown: str, cap: int = MAX_STRUCTURE_BYTES) -> str:
    checked_size(path, cap, "a structure file", shown)
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise RunFileError(f"{shown} could not be read: {str(error)[:160]}") from None


def read_npz_array(path: Path, key: str, shown: str, cap: int = MAX_NPZ_BYTES) -> np.ndarray:
    """One numeric array of an npz file; object arrays (pickles) are refused, never loaded."""
    checked_size(path, cap, "an npz file", shown)
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise RunFileError(f"{shown} is not an npz (zip) archive; perhaps it was cut short.") from None
    if unpacked > cap:
        raise RunFileError(f"{shown} unpacks to {_mb(unpacked)}, above the {_mb(cap)} limit: it was not read.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            if key not in archive.files:
                names = ", ".join(archive.files[:5]) or "none"
                raise RunFileError(f"{shown} has no array named '{key}' (it holds: {names}).")
            array = archive[key]
    except RunFileError:
        raise
    except ValueError as error:
        if "allow_pickle" in str(error) or "Object arrays" in str(error):
            raise RunFileError(
                f"{shown} holds Python objects (a pickle), which are never loaded here; Boltz writes plain numbers."
            ) from None
        raise RunFileError(f"{shown} could not be read: {str(error)[:160]}") from None
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        raise RunFileError(f"{shown} could not be read: {str(error)[:160]}") from None
    if array.dtype.kind not in "fiu":
        raise RunFileError(f"{shown}: '{key}' holds {array.dtype} values, not numbers.")
    return array
