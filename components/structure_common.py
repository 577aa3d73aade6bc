"""What the Structure and Complex sections share: fetching and parsing the file with clear
messages, the job's antibody sequences, the file download, and tracks for the confidence plot."""

from __future__ import annotations

import streamlit as st

from app import errors
from app.client import StructureFile
from app.conventions import plddt_band
from app.exports import safe_file_name
from app.residues import domain_residues
from app.structure import (
    CdrSpan,
    ChainSides,
    ParsedStructure,
    ResidueConfidence,
    StructureParseError,
    parse_structure,
    split_sides,
)
from app.view import JobView, StructureText
from components import services
from components.formatting import md_code, md_escape
from components.memo import view
from components.plddt_plot import ChainTrack, Span

MIME = {"pdb": "chemical/x-pdb", "mmcif": "chemical/x-mmcif"}


def fetch(path: str | None, what: str) -> StructureFile | None:
    """The structure file, or None after saying why not (404, too large, unsafe path, …)."""
    if not path:
        st.info(f"The service gave no file for the {what} (pdb_storage_path is empty).", icon=":material/info:")
        return None
    try:
        with st.spinner(f"Fetching the {what} file…"):
            return services.load_structure(path)
    except errors.ApiError as error:
        st.error(f"**{md_escape(error.title)}.** {md_escape(error.message)}", icon=":material/error:")
        st.caption(f"Path given by the service: {md_code(path)}")
        return None


def parse(file: StructureFile) -> ParsedStructure | None:
    try:
        parsed = parse_structure(file.text, file.format)
    except StructureParseError as error:
        st.error(f"**The structure file could not be read.** {md_escape(error)}", icon=":material/error:")
        return None
    if not parsed.chains:
        st.warning("The structure file holds no protein chains.", icon=":material/warning:")
        return None
    return parsed


def _split_sides(parsed: ParsedStructure, job: JobView) -> ChainSides:
    return split_sides(parsed, job.sequences)


def chain_sides(parsed: ParsedStructure, job: JobView) -> ChainSides:
    """Antibody and antigen chains of a parsed file: the chains carrying the job's VH/VL, else those
    that number as antibody domains. Once per (parse, job view) (memoised by identity)."""
    return view(_split_sides, parsed, job)


def download_file(file: StructureFile | StructureText, *, key: str, label: str) -> None:
    ext = "cif" if file.format == "mmcif" else "pdb"
    name = safe_file_name(file.name, f"structure.{ext}")
    # Deferred (a callable): the browser asks for the file only when the button is clicked. With the
    # text itself, Streamlit serves it under /media and the browser fetches it with the page, so the
    # structure would travel twice (it is already in the 3D viewer's page).
    st.download_button(
        label,
        lambda: file.text,
        file_name=name,
        mime=MIME.get(file.format, "text/plain"),
        key=key,
        icon=":material/download:",
        width="stretch",
        on_click="ignore",
    )


def imgt_labels(sequence: str) -> tuple[str | None, ...]:
    """IMGT label of each residue of a chain inside an antibody V domain (app.residues), else None."""
    places = domain_residues(sequence)
    return tuple(str(label) if p is not None and (label := p.label("imgt")) is not None else None for p in places)


def with_imgt_labels(
    colors: tuple[tuple[str, str, str, str], ...], parsed: ParsedStructure
) -> tuple[tuple[str, str, str, str], ...]:
    """The 3D hover text of antibody V-domain residues starts with their IMGT label, as every tab names them
    (the viewer itself prints chain, residue name and the file's number)."""
    imgt: dict[tuple[str, str], str] = {}
    for chain in parsed.chains:
        for residue, label in zip(chain.residues, imgt_labels(chain.sequence)):
            if label is not None:
                imgt[(chain.name, residue.label)] = label
    if not imgt:
        return colors
    return tuple(
        (chain, label, color, f"IMGT {imgt[(chain, label)]}" + (f" · {info}" if info else ""))
        if (chain, label) in imgt
        else (chain, label, color, info)
        for chain, label, color, info in colors
    )


def tracks(parsed: ParsedStructure, confidence: ResidueConfidence) -> list[ChainTrack]:
    out = []
    for chain in parsed.chains:
        if all(confidence.values.get(r.id) is None for r in chain.residues):
            continue  # no scores: no track (and no numbering to do)
        out.append(
            ChainTrack(
                chain=chain.name,
                labels=tuple(r.label for r in chain.residues),
                names=tuple(r.name for r in chain.residues),
                values=tuple(confidence.values.get(r.id) for r in chain.residues),
                imgt_labels=imgt_labels(chain.sequence),
            )
        )
    return [t for t in out if any(v is not None for v in t.values)]


def plot_spans(parsed: ParsedStructure, spans: list[CdrSpan]) -> list[Span]:
    out = []
    for span in spans:
        chain = parsed.chain(span.chain)
        if chain is None or not span.residues:
            continue
        index = {r.id: i for i, r in enumerate(chain.residues)}
        positions = [index[r] for r in span.residues if r in index]
        if positions:
            out.append(Span(span.chain, span.cdr, min(positions), max(positions)))
    return out


def band_text(plddt: float | None) -> str:
    band = plddt_band(plddt)
    return band.name if band else "no band"
