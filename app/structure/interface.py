"""Interface residues as the contract defines them, computed from the structure file, with their partners.

A residue is at the interface when one of its heavy atoms lies within 4.5 Å of a heavy atom of a
chain on the other side (antibody vs antigen). Waters and ligands do not count; symmetry mates are
not considered (only the chains in the file); insertion codes are kept. Each residue also carries
its partners: the residues of the other side within the cutoff, with the closest heavy-atom distance.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import gemmi
import pandas as pd

from app.residues import DEFINITIONS, DomainResidue, ResidueLabel, domain_residues
from app.structure.chains import ChainSides
from app.structure.model import ParsedStructure, ResidueId
from app.structure.parse import one_letter

CUTOFF_A = 4.5


@dataclass(frozen=True)
class Contact:
    """A residue of the other side within the cutoff, and the closest heavy-atom distance to it (Å)."""

    id: ResidueId
    name: str
    distance: float


@dataclass(frozen=True)
class InterfaceResidue:
    id: ResidueId
    name: str
    side: str  # "antibody" or "antigen"
    partners: tuple[Contact, ...] = ()  # closest first; empty when not computed (no file)


def heavy_polymer_structure(structure: gemmi.Structure) -> gemmi.Structure:
    """First model only, without hydrogens, waters, ligands or a crystal cell (no symmetry mates)."""
    st = structure.clone()
    while len(st) > 1:
        del st[1]
    st.remove_hydrogens()
    st.remove_ligands_and_waters()
    st.remove_empty_chains()
    st.cell = gemmi.UnitCell()
    return st


_Key = tuple[str, int | None, str]  # gemmi's (chain, number, insertion code) of a residue


def _key_id(key: _Key) -> ResidueId:
    return ResidueId(key[0], key[1] or 0, key[2].strip())


def _rid(chain: gemmi.Chain, residue: gemmi.Residue) -> ResidueId:
    return ResidueId(chain.name, residue.seqid.num or 0, residue.seqid.icode.strip())  # gemmi types num Optional


def _atom_contacts(st: gemmi.Structure, cutoff: float) -> Iterator[tuple[_Key, _Key, str, str, float]]:
    """Every pair of heavy atoms of two different chains of `st` (a `heavy_polymer_structure`) within
    `cutoff` Å, found by gemmi's ContactSearch in C++: (residue, residue, residue name, residue name, Å)."""
    search = gemmi.NeighborSearch(st[0], st.cell, max(cutoff, 5.0)).populate(include_h=False)
    finder = gemmi.ContactSearch(cutoff + 0.01)
    finder.ignore = gemmi.ContactSearch.Ignore.SameChain
    for contact in finder.find_contacts(search):
        if contact.dist > cutoff:
            continue
        one, two = contact.partner1, contact.partner2
        k1 = (one.chain.name, one.residue.seqid.num, one.residue.seqid.icode)
        k2 = (two.chain.name, two.residue.seqid.num, two.residue.seqid.icode)
        yield k1, k2, one.residue.name, two.residue.name, contact.dist


def compute_interface(
    structure: gemmi.Structure,
    sides: ChainSides,
    cutoff: float = CUTOFF_A,
    only: Iterable[ResidueId] | None = None,
) -> list[InterfaceResidue]:
    """Residues of either side with a heavy atom within `cutoff` Å of the other side, in file order,
    each with its partners. With `only` (the service's list), only contacts that involve one of those
    residues count."""
    antibody = set(sides.antibody)
    if not antibody or not sides.antigen:
        return []
    wanted = set(only) if only is not None else None
    st = heavy_polymer_structure(structure)
    closest: dict[tuple[_Key, _Key], float] = {}  # (residue, partner) → Å, both ways
    names: dict[_Key, str] = {}
    for k1, k2, name1, name2, distance in _atom_contacts(st, cutoff):
        if (k1[0] in antibody) == (k2[0] in antibody):
            continue
        if wanted is not None and _key_id(k1) not in wanted and _key_id(k2) not in wanted:
            continue
        names[k1], names[k2] = name1, name2
        for key in ((k1, k2), (k2, k1)):
            if distance < closest.get(key, float("inf")):
                closest[key] = distance
    partners: dict[_Key, list[tuple[float, _Key]]] = {}
    for (here, there), distance in closest.items():
        partners.setdefault(here, []).append((distance, there))
    out: list[InterfaceResidue] = []
    for chain in st[0]:
        for residue in chain:
            found = partners.get((chain.name, residue.seqid.num, residue.seqid.icode))
            if not found:
                continue
            contacts = tuple(Contact(_key_id(k), names[k], round(d, 2)) for d, k in sorted(found))
            out.append(InterfaceResidue(_rid(chain, residue), residue.name, sides.side(chain.name), contacts))
    return out


def chain_pair_contacts(structure: gemmi.Structure, cutoff: float = CUTOFF_A) -> dict[tuple[str, str], set[ResidueId]]:
    """For each pair of polymer chains in contact, the residues of both chains at their interface
    (the same definition as `compute_interface`, taken chain by chain). Keys are in file order."""
    st = heavy_polymer_structure(structure)
    order = {chain.name: i for i, chain in enumerate(st[0])}
    out: dict[tuple[str, str], set[ResidueId]] = {}
    for k1, k2, _, _, _ in _atom_contacts(st, cutoff):
        pair = (k1[0], k2[0]) if order.get(k1[0], 0) <= order.get(k2[0], 0) else (k2[0], k1[0])
        found = out.setdefault(pair, set())
        found.add(_key_id(k1))
        found.add(_key_id(k2))
    return out


def interface_by_chain(residues: list[InterfaceResidue]) -> dict[str, list[str]]:
    """`{chain: [labels]}`, the contract's shape."""
    out: dict[str, list[str]] = {}
    for r in residues:
        out.setdefault(r.id.chain, []).append(r.id.label)
    return out


def residues_from_labels(
    parsed: ParsedStructure, labels: dict[str, list[str]], sides: ChainSides
) -> tuple[list[InterfaceResidue], list[str]]:
    """The API's `{chain: [labels]}` matched to the file's residues; labels not in the file are listed."""
    out: list[InterfaceResidue] = []
    missing: list[str] = []
    for chain_name, chain_labels in labels.items():
        chain = parsed.chain(chain_name)
        by_label = {r.label: r for r in chain.residues} if chain else {}
        for label in chain_labels:
            text = str(label).strip()
            label_parsed = ResidueLabel.parse(text)
            residue = by_label.get(str(label_parsed) if label_parsed else text)
            if residue is None:
                missing.append(f"{chain_name}:{text}")
                rid = _parse_label(chain_name, text)
                if rid is not None:
                    out.append(InterfaceResidue(rid, "", sides.side(chain_name)))
                continue
            out.append(InterfaceResidue(residue.id, residue.name, sides.side(chain_name)))
    return out, missing


def with_partners(
    residues: list[InterfaceResidue], structure: gemmi.Structure, sides: ChainSides, cutoff: float = CUTOFF_A
) -> list[InterfaceResidue]:
    """The service's interface residues, each with its partners found here in the file (same order)."""
    found = {r.id: r.partners for r in compute_interface(structure, sides, cutoff, only=[r.id for r in residues])}
    return [InterfaceResidue(r.id, r.name, r.side, found.get(r.id, ())) for r in residues]


def _parse_label(chain: str, label: str) -> ResidueId | None:
    parsed = ResidueLabel.parse(label)
    return ResidueId(chain, parsed.number, parsed.icode) if parsed else None


# --- the interface table (page and CSV share it) ----------------------------------------------------

CHAIN_TYPE_NAMES = {"H": "heavy", "K": "light (κ)", "L": "light (λ)"}
INTERFACE_COLUMNS = (
    "chain",
    "residue",
    "residue_name",
    "chain_type",
    "region_imgt",
    "cdr_under",
    "n_partners",
    "closest_A",
    "partners",
)


def _partner_text(contacts: tuple[Contact, ...]) -> str:
    """'A:Y252 3.1 Å; A:D253 3.6 Å': chain, residue (one-letter code and number) and distance, closest first."""
    return "; ".join(f"{c.id.chain}:{one_letter(c.name)}{c.id.label} {c.distance:.1f} Å" for c in contacts)


def _residue_places(parsed: ParsedStructure | None, chain: str) -> dict[ResidueId, DomainResidue]:
    """Each residue of an antibody chain → its V-domain place (chain type, IMGT label, regions)."""
    found = parsed.chain(chain) if parsed is not None else None
    if found is None:
        return {}
    places = domain_residues(found.sequence)
    return {r.id: place for r, place in zip(found.residues, places) if place is not None}


def interface_table(residues: list[InterfaceResidue], parsed: ParsedStructure | None) -> pd.DataFrame:
    """One row per interface residue: where it sits (chain type, IMGT region, CDR under which definitions)
    and its partners on the other side with distances; the page shows it and the CSV is it."""
    places: dict[str, dict[ResidueId, DomainResidue]] = {}
    rows = []
    for r in sorted(residues, key=lambda r: r.side != "antibody"):  # the paratope first, each side in file order
        chain_type = "antigen" if r.side == "antigen" else "—"
        region, cdr_under = "—", "—"
        if r.side == "antibody":
            if r.id.chain not in places:
                places[r.id.chain] = _residue_places(parsed, r.id.chain)
            place = places[r.id.chain].get(r.id)
            chain_type, region = "antibody (outside a V domain)", "—"
            if place is not None:
                chain_type = CHAIN_TYPE_NAMES.get(str(place.chain_type), "antibody")
                found = place.region("imgt")
                region = found.full_name if found else "—"
                cdr_under = ", ".join(DEFINITIONS[d].title for d in place.cdr_definitions()) or "—"
        rows.append(
            {
                "chain": r.id.chain,
                "residue": r.id.label,
                "residue_name": r.name,
                "chain_type": chain_type,
                "region_imgt": region,
                "cdr_under": cdr_under,
                "n_partners": len(r.partners),
                "closest_A": r.partners[0].distance if r.partners else None,
                "partners": _partner_text(r.partners),
            }
        )
    frame = pd.DataFrame(rows, columns=list(INTERFACE_COLUMNS))
    return frame.astype({"n_partners": "Int64", "closest_A": "Float64"})


def interface_summary(table: pd.DataFrame, sides: ChainSides) -> pd.DataFrame:
    """Per chain: side, chain type and how many interface residues (in CDRs, under the IMGT definition)."""
    rows = []
    chains = list(dict.fromkeys([*sides.antibody, *sides.antigen, *table["chain"]]))
    for chain in chains:
        mine = table[table["chain"] == chain]
        types = sorted(set(mine["chain_type"])) or ["antigen" if sides.side(chain) == "antigen" else "—"]
        in_cdr = int(mine["region_imgt"].str.startswith("CDR").sum())
        rows.append(
            {
                "Chain": chain,
                "Side": sides.side(chain),
                "Chain type": ", ".join(types),
                "Interface residues": len(mine),
                "In CDRs (IMGT)": str(in_cdr) if sides.side(chain) == "antibody" else "—",
            }
        )
    return pd.DataFrame(rows, columns=["Chain", "Side", "Chain type", "Interface residues", "In CDRs (IMGT)"])
