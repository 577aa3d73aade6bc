"""VHH hallmark residues: parental vs humanized at the four former VL-interface positions, with meaning."""

from __future__ import annotations

from app.conventions import KABAT_TO_IMGT_HALLMARK, VHH_HALLMARKS_IMGT

IMGT_TO_KABAT = {imgt: kabat for kabat, imgt in KABAT_TO_IMGT_HALLMARK.items()}


def _to_imgt(position: str, scheme: str | None) -> str:
    position = str(position).strip()
    if (scheme or "").lower() == "kabat":
        return KABAT_TO_IMGT_HALLMARK.get(position, position)
    return position


def _kind(aa: str | None, vhh: str, human: str) -> str:
    if not aa:
        return "—"
    in_vhh, in_human = aa in vhh.split("/"), aa in human.split("/")
    if in_vhh and in_human:
        return "VHH- and human-type"
    if in_vhh:
        return "VHH-type"
    if in_human:
        return "human VH-type"
    return "other"


def hallmark_rows(
    hallmarks: dict[str, str | None],
    humanized_hallmarks: dict[str, str | None],
    scheme: str | None,
    humanized_imgt: dict[str, str] | None = None,
) -> list[dict[str, str]]:
    """One row per IMGT hallmark position (42, 49, 50, 52).

    `humanized_imgt` ({IMGT label: residue} of the humanized chain, numbered here) fills the humanized
    column when the service did not send `humanized_hallmarks`.
    """
    parental = {_to_imgt(k, scheme): (v or "") for k, v in hallmarks.items()}
    humanized = {_to_imgt(k, scheme): (v or "") for k, v in humanized_hallmarks.items()}
    from_here = False
    if not humanized and humanized_imgt is not None:
        humanized, from_here = {p: humanized_imgt.get(p, "") for p in VHH_HALLMARKS_IMGT}, True
    rows = []
    for imgt, (vhh, human, meaning) in VHH_HALLMARKS_IMGT.items():
        p, h = parental.get(imgt, ""), humanized.get(imgt, "")
        rows.append(
            {
                "IMGT": imgt,
                "Kabat": IMGT_TO_KABAT.get(imgt, ""),
                "Parental": p or "—",
                "Parental is": _kind(p, vhh, human),
                "Humanized": (h or "—") + (" (numbered here)" if from_here and h else ""),
                "Humanized is": _kind(h, vhh, human),
                "Changed": "yes" if p and h and p != h else ("—" if not (p and h) else "no"),
                "Typical VHH / human": f"{vhh} / {human}",
                "What it means": meaning,
            }
        )
    return rows


def imgt_residue_map(sequence: str) -> dict[str, str] | None:
    """{IMGT label: residue} of a chain numbered here with immunum; None when it cannot be numbered."""
    from app.humanization.numbering import clean_sequence, imgt_labels

    sequence = clean_sequence(sequence)
    labels = imgt_labels(sequence)
    return dict(zip(labels, sequence)) if labels else None
