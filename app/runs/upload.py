"""A run uploaded in the browser, unpacked into the session's own temporary folder.

Nothing is executed and nothing is written outside that folder: zip members with absolute paths,
`..`, drive letters or link entries are refused; the unpacked size is capped as it is written
(a zip bomb stops at the cap whatever its headers declare); the folder goes when the session does
(`remove()`, called by components/runs_list.py when Streamlit releases the session's resources).
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import weakref
import zipfile
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import IO

from app.runs.files import is_inside

MAX_UPLOAD_BYTES = 300 * 2**20  # unpacked, all files of one upload together
MAX_MEMBERS = 5000
MAX_RATIO = 200  # unpacked/packed size of one member above which it is treated as a zip bomb
CHUNK = 1 << 20


class UploadSpace:
    """A temporary folder, removed by `remove()` or, failing that, when this object is collected."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="abdash-run-"))
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.path), True)

    @property
    def removed(self) -> bool:
        return not self._finalizer.alive  # false from the moment `remove()` starts

    def fill(self, files: list[tuple[str, bytes]]) -> list[str]:
        """Replace the folder's contents with `files` (zips unpacked); returns what `unpack` refused.

        If the folder is removed meanwhile (its session ended during the unpacking), nothing is left
        behind: whatever the unpacking wrote after the removal goes too.
        """
        try:
            self.clear()
            return unpack(files, self.path)
        except OSError:
            if self.removed:
                return []
            raise
        finally:
            if self.removed:
                shutil.rmtree(self.path, ignore_errors=True)

    def clear(self) -> None:
        for child in self.path.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)

    def remove(self) -> None:
        self._finalizer()


def _safe_member(name: str) -> PurePosixPath | None:
    text = name.replace("\\", "/")
    pure = PurePosixPath(text)
    if not text or "\x00" in text or pure.is_absolute() or (len(text) > 1 and text[1] == ":"):
        return None
    if any(part in ("..", "") for part in pure.parts):
        return None
    if pure.parts[0] == "__MACOSX" or pure.name.startswith("._"):
        return None
    return pure


def _copy_capped(source: IO[bytes], target: Path, budget: int) -> int:
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > budget:
                raise ValueError("cap")
            out.write(chunk)
    return written


def unpack(files: list[tuple[str, bytes]], dest: Path, cap: int = MAX_UPLOAD_BYTES) -> list[str]:
    """Write the uploaded files (zips unpacked) under `dest`; returns one sentence per refused item."""
    problems: list[str] = []
    used = 0
    for upload_name, data in files:
        base = PurePosixPath(upload_name.replace("\\", "/")).name or "upload"
        if not base.lower().endswith(".zip"):
            if used + len(data) > cap:
                problems.append(f"{base}: the upload would exceed {cap // 2**20} MB, so it was not kept.")
                continue
            (dest / base).write_bytes(data)
            used += len(data)
            continue
        try:
            archive = zipfile.ZipFile(BytesIO(data))
        except zipfile.BadZipFile:
            problems.append(f"{base} is not a readable zip archive.")
            continue
        with archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                problems.append(f"{base} holds {len(members)} entries (more than {MAX_MEMBERS}): not unpacked.")
                continue
            for info in members:
                if info.is_dir():
                    continue
                member = _safe_member(info.filename)
                mode = info.external_attr >> 16
                if member is None:
                    problems.append(f"{base}: entry {info.filename[:80]!r} has an unsafe path and was skipped.")
                    continue
                if stat.S_ISLNK(mode):
                    problems.append(f"{base}: entry {info.filename[:80]!r} is a link and was skipped.")
                    continue
                if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                    problems.append(
                        f"{base}: entry {info.filename[:80]!r} unpacks {info.file_size // max(1, info.compress_size)}× "
                        "its packed size (a zip bomb?) and was skipped."
                    )
                    continue
                target = dest / member
                target.parent.mkdir(parents=True, exist_ok=True)
                if not is_inside(dest, target.parent):  # belt and braces: no link is ever written here
                    problems.append(f"{base}: entry {info.filename[:80]!r} leads outside the upload and was skipped.")
                    continue
                try:
                    with archive.open(info) as source:
                        used += _copy_capped(source, target, cap - used)
                except ValueError:
                    target.unlink(missing_ok=True)
                    problems.append(f"{base}: unpacking stopped at the {cap // 2**20} MB limit of an upload.")
                    break
                except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as error:
                    target.unlink(missing_ok=True)
                    problems.append(f"{base}: entry {info.filename[:80]!r} could not be unpacked ({str(error)[:80]}).")
    return problems
