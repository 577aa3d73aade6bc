"""Small builders of contract payloads and data folders for tests (inputs, never expected outputs)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def new_id() -> str:
    return str(uuid.uuid4())


def job_body(status: str = "completed", **extra: Any) -> dict[str, Any]:
    """A minimal valid 200 body; keyword arguments are merged at the top level."""
    job_id = extra.pop("job_id", None) or new_id()
    job = {
        "id": job_id,
        "variant_id": new_id(),
        "submitted_by": new_id(),
        "job_type": "full_analysis",
        "status": status,
        "error_message": "CUDA out of memory on node gpu-7" if status == "failed" else None,
        "created_at": "2026-11-02T09:00:00+00:00",
        "started_at": None if status == "pending" else "2026-11-02T09:01:00+00:00",
        "completed_at": "2026-11-02T09:12:30+00:00" if status == "completed" else None,
        "canceled_at": "2026-11-02T09:05:00+00:00" if status == "canceled" else None,
    }
    job.update(extra.pop("job", {}))
    body: dict[str, Any] = {
        "job": job,
        "results": [],
        "structure_result": None,
        "stability_result": None,
        "immunogenicity_result": None,
        "complex_result": None,
    }
    body.update(extra)
    return body


def write_data_dir(root: Path, bodies: list[dict[str, Any]], files: Mapping[str, str | bytes] | None = None) -> Path:
    """A folder the sample server can serve: jobs/<id>.json and storage/<path>."""
    (root / "jobs").mkdir(parents=True, exist_ok=True)
    (root / "storage").mkdir(parents=True, exist_ok=True)
    for body in bodies:
        (root / "jobs" / f"{body['job']['id']}.json").write_text(json.dumps(body), encoding="utf-8")
    for rel, content in (files or {}).items():
        target = root / "storage" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def read(value: object, kind: type[T]) -> T:
    """`value`, asserted to be a `kind`: a model's lenient field is `X | Unparsed | None`."""
    assert isinstance(value, kind), f"expected {kind.__name__}, got {value!r}"[:500]
    return value
