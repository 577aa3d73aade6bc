"""Hostile inputs for the tests: HTML/script/Markdown strings, jobs and structure files full of them.

Inputs only: nothing here knows what the dashboard does with them. The tests then check, in a real
browser, that none of it runs, renders as markup or fetches anything.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

from app.sample_api import DEFAULT_DATA_DIR

EVIL_HOST = "evil.example"

# Each one tries a different way out of "shown as text". `pwn` marks elements a payload would create.
HOSTILE_STRINGS: tuple[str, ...] = (
    "<img src=x onerror=alert(1) class=pwn>",
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    "[click me](javascript:alert(1))",
    f"[x](http://{EVIL_HOST}/)",
    f"![x](http://{EVIL_HOST}/x.png)",
    "<svg/onload=alert(1) class=pwn>",
    f'"><iframe src="http://{EVIL_HOST}/" class=pwn></iframe>',
    "'-alert(1)-'",
    '<a href="javascript:alert(1)" class=pwn>x</a>',
    f"<style>body{{background:url(http://{EVIL_HOST}/bg.png)}}</style>",
    "$\\href{javascript:alert(1)}{x}$",
    f"<b>bold</b> **md** :red[red] <https://{EVIL_HOST}/auto>",
    "<details open ontoggle=alert(1) class=pwn>",
    f'<object data="http://{EVIL_HOST}/o" class=pwn></object>',
    "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
)

# Keys of objects that are maps (their keys are data, so they are untrusted too).
MAP_KEYS = {
    "per_residue_plddt",
    "model_versions",
    "hallmarks",
    "humanized_hallmarks",
    "per_chain_plddt",
    "interface_residues",
}
# Strings that must stay as they are for the job to be served and its file found.
KEEP = {("job", "id"), ("structure_result", "pdb_storage_path"), ("complex_result", "pdb_storage_path")}

_SEQUENCE_LIKE = re.compile(r"^[A-Z]+$")
_POSITION_LIKE = re.compile(r"^([A-Z]{1,2}:)?[A-Z]?-?\d+[A-Z]?$")
_DATE_LIKE = re.compile(r"^\d{4}-\d\d-\d\dT")
_UUID_LIKE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-")


class Cycle:
    """Hands out the hostile strings in turn and counts what it filled."""

    def __init__(self, strings: tuple[str, ...] = HOSTILE_STRINGS) -> None:
        self.strings = strings
        self.filled = 0

    def next(self) -> str:
        value = self.strings[self.filled % len(self.strings)]
        self.filled += 1
        return value


def _walk(value: Any, path: tuple[str, ...], cycle: Cycle, mode: str) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            new_key = key
            if mode == "replace" and path and path[-1] in MAP_KEYS:
                new_key = f"{cycle.next()}{key}"  # keep keys unique
            out[new_key] = _walk(item, (*path, key), cycle, mode)
        return out
    if isinstance(value, list):
        return [_walk(item, path, cycle, mode) for item in value]
    if isinstance(value, str):
        if tuple(p for p in path if p not in ("results",))[-2:] in KEEP or path[-2:] in KEEP:
            return value
        if mode == "replace":
            return cycle.next()
        # "labels": leave sequences, positions, dates and ids intact so figures still draw
        if (
            _SEQUENCE_LIKE.match(value)
            or _POSITION_LIKE.match(value)
            or _DATE_LIKE.match(value)
            or _UUID_LIKE.match(value)
        ):
            return value
        return value + " " + cycle.next()
    return value


def hostile_body(body: dict[str, Any], mode: str, cycle: Cycle) -> dict[str, Any]:
    """A copy of a 200 body with every string (mode "replace") or every free-text string ("labels") made hostile.

    `job.id` and structure paths are kept; `job.status` is kept so the job is shown as finished.
    """
    job_id = body["job"]["id"]
    status = body["job"]["status"]
    out = _walk(copy.deepcopy(body), (), cycle, mode)
    out["job"]["id"] = job_id
    out["job"]["status"] = status
    return out


def count_strings(value: Any) -> int:
    """How many string leaves and map keys a JSON value holds (for the README's figures)."""
    if isinstance(value, dict):
        return sum(1 + count_strings(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_strings(v) for v in value)
    return 1 if isinstance(value, str) else 0


# --- structure files -----------------------------------------------------------------------------


def hostile_pdb(original: str, cycle: Cycle) -> str:
    """The PDB with HEADER/TITLE/COMPND/REMARK lines carrying hostile text (80-column records)."""
    head = []
    for record in ("HEADER    ", "TITLE     ", "COMPND    ", "SOURCE    ", "KEYWDS    ", "AUTHOR    "):
        head.append((record + cycle.next())[:80])
    for text in HOSTILE_STRINGS:
        head.append(f"REMARK 999 {text}"[:80])
        cycle.filled += 1
    body = [line for line in original.splitlines() if not line.startswith(("HEADER", "TITLE", "COMPND"))]
    return "\n".join(head + body) + "\n"


def _cif_quote(text: str) -> str:
    return f"'{text}'" if "'" not in text else f'"{text}"'


def hostile_mmcif(original: str, cycle: Cycle) -> str:
    """The mmCIF with a hostile title and hostile chain names (auth_asym_id may be any string)."""
    lines = original.splitlines()
    chain_names = ["<img/src=x/onerror=alert(1)>", "</script><script>alert(1)</script>"]  # no spaces: loop tokens
    header_at = None
    columns: list[str] = []
    out: list[str] = []
    mapping: dict[str, str] = {}
    for line in lines:
        if line.startswith("_atom_site."):
            columns.append(line.split()[0])
            header_at = True
            out.append(line)
            continue
        if header_at and columns and line.startswith(("ATOM", "HETATM")):
            fields = line.split()
            if "_atom_site.auth_asym_id" in columns and len(fields) == len(columns):
                i = columns.index("_atom_site.auth_asym_id")
                chain = fields[i]
                if chain not in mapping:
                    mapping[chain] = chain_names[len(mapping) % len(chain_names)] + chain
                    cycle.filled += 1
                fields[i] = _cif_quote(mapping[chain])
                line = " ".join(fields)
            out.append(line)
            continue
        if header_at and columns and not line.startswith(("ATOM", "HETATM")):
            header_at = None
            columns = []
        out.append(line)
    title = cycle.next().replace("'", "")
    out.insert(1, f"_struct.title '{title}'")
    return "\n".join(out) + "\n"


# --- whole data folders --------------------------------------------------------------------------


def sample_bodies() -> dict[str, dict[str, Any]]:
    """The bundled sample jobs by id (without their x_sample notes)."""
    bodies = {}
    for path in sorted((DEFAULT_DATA_DIR / "jobs").glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        body.pop("x_sample", None)
        bodies[body["job"]["id"]] = body
    return bodies


def richest_body() -> dict[str, Any]:
    """One body with every section: the sample with most sections, plus a complex from another sample."""
    bodies = list(sample_bodies().values())

    def sections(b: dict[str, Any]) -> int:
        return bool(b.get("results")) + sum(
            b.get(k) is not None
            for k in ("structure_result", "stability_result", "immunogenicity_result", "complex_result")
        )

    richest = copy.deepcopy(max(bodies, key=sections))
    if richest.get("complex_result") is None:
        donor = next((b for b in bodies if b.get("complex_result")), None)
        if donor is not None:
            richest["complex_result"] = copy.deepcopy(donor["complex_result"])
    return richest


def with_new_id(body: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(body)
    out["job"]["id"] = str(uuid.uuid4())
    return out


def storage_files(body: dict[str, Any]) -> Iterator[str]:
    for key in ("structure_result", "complex_result"):
        row = body.get(key)
        if isinstance(row, dict) and isinstance(row.get("pdb_storage_path"), str):
            yield row["pdb_storage_path"]
