"""The local-runs source: a results folder (or a session's upload) turned into `JobView`s.

The service source builds the same view from `GET /jobs/{id}`; the sections are to take the view
(see docs/architecture.md). Models are read once per file version: the cache key names the source
("local"), the folder, the run, the model and the size and mtime of every file read, so a rewritten
file is read again and nothing is shared between two folders.
"""

from __future__ import annotations

import threading
from pathlib import Path

from cachetools import LRUCache

from app.runs.discover import ModelRef, RunRef, find_run, list_runs
from app.runs.files import PathRefused, resolve_inside
from app.runs.load import load_model
from app.view import JobView, ModelView

SOURCE = "local"


class RunNotFound(LookupError):
    """No run at that path. The message is safe to show."""


_models: LRUCache = LRUCache(maxsize=12)
_lock = threading.Lock()


def _signature(folder: Path, ref: ModelRef) -> tuple:
    out = []
    for rel in (ref.structure, *(path for _, path in ref.files)):
        try:
            stat = (folder / rel).stat()
            out.append((rel, stat.st_size, stat.st_mtime_ns))
        except OSError:
            out.append((rel, -1, -1))
    return tuple(out)


class LocalRuns:
    """Runs under one folder: the listing, one run by its link, one model's view."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def list(self) -> list[RunRef]:
        return list_runs(self.root)

    def open(self, rel: str) -> RunRef:
        """The run a link names; `PathRefused` for paths that leave the folder, `RunNotFound` otherwise."""
        target = resolve_inside(self.root, rel)
        run = find_run(self.root, rel)
        if run is None:
            if target.is_dir() and not any(target.iterdir()):
                raise RunNotFound("That folder is empty: no structure or confidence files to show.")
            raise RunNotFound("No Boltz, AlphaFold 3, ColabFold or AlphaFold2 run was found at that path.")
        return run

    def model(self, run: RunRef, index: int) -> ModelView:
        ref = run.models[index]
        folder = self.root / run.folder
        key = (SOURCE, str(self.root), run.rel, ref, _signature(folder, ref))
        with _lock:
            cached = _models.get(key)
        if cached is not None:
            return cached
        view = load_model(self.root, run, ref)
        with _lock:
            _models[key] = view
        return view

    def job_view(self, run: RunRef, index: int) -> JobView:
        """The view of one run with the chosen model loaded (the others are read when picked)."""
        return JobView(SOURCE, f"{self.root}::{run.rel}", run.name, run.tool, (self.model(run, index),))


__all__ = ["LocalRuns", "PathRefused", "RunNotFound"]
