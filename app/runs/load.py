"""Reading one model of a run into a `ModelView`: structure, per-residue pLDDT, scores, PAE, pair ipTM.

Each file is read on its own: a missing or broken confidence file becomes one sentence in
`problems` and the rest (the structure, the other files) still shows. Scores are normalised once,
here: fractions to 0-1, pLDDT to 0-100 (Boltz's npz and JSON use 0-1).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import gemmi
import numpy as np

from app.runs.discover import ModelRef, RunRef
from app.runs.files import RunFileError, is_inside, read_json, read_json_object, read_npz_array, read_text
from app.runs.tokens import af3_tokens, polymer_tokens, residue_plddt_from_atoms, structure_tokens
from app.scales import finite, plddt_values_0_100, to_fraction
from app.structure.confidence import ConfidenceKind, ResidueConfidence, from_bfactors
from app.structure.model import ParsedStructure, ResidueId
from app.structure.parse import StructureParseError, parse_structure, read_gemmi
from app.view import GlobalScores, ModelView, Pae, PairIptm, StructureText, Token


def _fmt(name: str) -> str:
    return "mmcif" if name.lower().endswith(".cif") else "pdb"


def _path(root: Path, run: RunRef, rel: str) -> Path:
    path = root / run.folder / rel
    if not is_inside(root, path):
        raise RunFileError(f"{rel} is a link that leads outside the results folder, so it was not read.")
    return path


def _matrix(value: Any, shown: str) -> np.ndarray:
    try:
        matrix = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError):
        raise RunFileError(f"{shown}: the PAE is not a matrix of numbers.") from None
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise RunFileError(f"{shown}: the PAE has shape {matrix.shape}, not a square matrix.")
    if not np.isfinite(matrix).all():
        raise RunFileError(f"{shown}: the PAE holds values that are not finite numbers.")
    matrix.setflags(write=False)
    return matrix


def _pae(matrix: np.ndarray, tokens: tuple[Token, ...] | None, source: str, why: str = "") -> Pae:
    if tokens is None:
        return Pae(
            matrix, None, source, f"The PAE ({matrix.shape[0]} tokens) could not be mapped onto the structure: {why}."
        )
    if len(tokens) != matrix.shape[0]:
        ligands = sum(1 for t in tokens if not t.polymer)
        detail = f" ({ligands} of them ligand/ion atoms)" if ligands else ""
        return Pae(
            matrix,
            None,
            source,
            f"The PAE has {matrix.shape[0]} rows but the structure has {len(tokens)} tokens{detail}: "
            "it belongs to another structure or was cut, so it is not drawn and no ipSAE is computed.",
        )
    return Pae(matrix, tokens, source)


def _read_object(root: Path, run: RunRef, rel: str, problems: list[str], read: list[str]) -> dict[str, Any] | None:
    """A JSON object of the run, noted in `read`; None (and one sentence in `problems`) when unreadable."""
    try:
        data = read_json_object(_path(root, run, rel), rel)
    except RunFileError as error:
        problems.append(str(error))
        return None
    read.append(rel)
    return data


def _plddt_confidence(values: dict[ResidueId, float | None], note: str) -> ResidueConfidence:
    return ResidueConfidence(ConfidenceKind.PLDDT, values, "file", note)


def _from_tokens(tokens: tuple[Token, ...], per_token: list[float | None]) -> dict[ResidueId, float | None]:
    """Per-token pLDDT reduced to polymer residues (a residue is one token in Boltz)."""
    out: dict[ResidueId, float | None] = {}
    for token, value in zip(tokens, per_token):
        if token.polymer and token.residue not in out:
            out[token.residue] = value
    return out


def _pair_iptm_by_index(raw: Any, chains: list[str]) -> tuple[PairIptm, ...]:
    """Boltz's pair_chains_iptm {"i": {"j": v}}, keyed by 0-based chain index in input order."""
    out: list[PairIptm] = []
    if not isinstance(raw, dict):
        return ()
    for i, row in raw.items():
        if not isinstance(row, dict):
            continue
        for j, value in row.items():
            try:
                a, b = chains[int(i)], chains[int(j)]
            except (ValueError, IndexError):
                continue
            if a != b:
                out.append(PairIptm(a, b, to_fraction(value)))
    return tuple(out)


def _pair_iptm_matrix(raw: Any, chains: list[str]) -> tuple[PairIptm, ...]:
    """AlphaFold 3's chain_pair_iptm (list of lists in chain order; null for ions)."""
    out: list[PairIptm] = []
    if not isinstance(raw, list):
        return ()
    for i, row in enumerate(raw[: len(chains)]):
        if not isinstance(row, list):
            continue
        for j, value in enumerate(row[: len(chains)]):
            if i != j:
                out.append(PairIptm(chains[i], chains[j], to_fraction(value) if value is not None else None))
    return tuple(out)


def _pair_iptm_by_letters(raw: Any, chains: list[str]) -> tuple[PairIptm, ...]:
    """ColabFold's pairwise_iptm {"A-B": v} (written with --calc-extra-ptm), one value per unordered pair."""
    out: list[PairIptm] = []
    if not isinstance(raw, dict):
        return ()
    for key, value in raw.items():
        a, _, b = str(key).partition("-")
        if a in chains and b in chains and a != b:
            out += [PairIptm(a, b, to_fraction(value)), PairIptm(b, a, to_fraction(value))]
    return tuple(out)


def _chain_order(st: gemmi.Structure) -> list[str]:
    return [chain.name for chain in st[0]]


def load_model(root: Path, run: RunRef, ref: ModelRef) -> ModelView:
    """The model's view. Never raises for a bad file: the problem is in `problems`."""
    problems: list[str] = []
    read: list[str] = []
    try:
        text = read_text(_path(root, run, ref.structure), ref.structure)
        fmt = _fmt(ref.structure)
        st = read_gemmi(text, fmt)
        parsed = parse_structure(text, fmt)
        read.append(ref.structure)
    except (RunFileError, StructureParseError) as error:
        return ModelView(ref.label, None, problems=(str(error),))
    structure = StructureText(text, fmt, Path(ref.structure).name)
    reader = {
        "Boltz": _boltz,
        "AlphaFold 3 (server)": _af3,
        "AlphaFold 3": _af3,
        "AlphaFold2 (DeepMind)": _af2_deepmind,
    }.get(run.tool, _colabfold)
    confidence, scores, pae, pair_iptm = reader(root, run, ref, st, parsed, problems, read)
    if confidence is None:
        confidence = from_bfactors(parsed, run.tool)
        if confidence.is_plddt:
            confidence = _plddt_confidence(
                dict(confidence.values), confidence.note.replace("pLDDT read", "pLDDT read (fallback)")
            )
    return ModelView(
        ref.label, structure, confidence, scores, pae, pair_iptm, tuple(read), tuple(problems), model_used=run.tool
    )


Parts = tuple[ResidueConfidence | None, GlobalScores, Pae | None, tuple[PairIptm, ...]]


def _boltz(
    root: Path,
    run: RunRef,
    ref: ModelRef,
    st: gemmi.Structure,
    parsed: ParsedStructure,
    problems: list[str],
    read: list[str],
) -> Parts:
    tokens = structure_tokens(st)
    chains = _chain_order(st)
    scores = GlobalScores()
    pair_iptm: tuple[PairIptm, ...] = ()
    rel = ref.file("confidence")
    if rel is None:
        problems.append(f"No confidence_{run.name}_{ref.label.replace(' ', '_')}.json: no pTM/ipTM for this model.")
    else:
        try:
            data = read_json_object(_path(root, run, rel), rel)
            read.append(rel)
            extra = tuple(
                (k, float(v))
                for k in ("ligand_iptm", "protein_iptm", "complex_iplddt", "complex_pde", "complex_ipde")
                if (v := finite(data.get(k))) is not None
            )
            plddt = finite(data.get("complex_plddt"))
            scores = GlobalScores(
                ptm=to_fraction(data.get("ptm")),
                iptm=to_fraction(data.get("iptm")),
                ranking_score=to_fraction(data.get("confidence_score")),
                ranking_name="confidence_score",
                complex_plddt=None if plddt is None else (plddt * 100 if plddt <= 1 else plddt),
                extra=extra,
            )
            pair_iptm = _pair_iptm_by_index(data.get("pair_chains_iptm"), chains)
        except RunFileError as error:
            problems.append(str(error))
    scores = _with_affinity(root, run, ref, scores, problems, read)
    confidence = None
    rel = ref.file("plddt")
    if rel is not None:
        try:
            values = read_npz_array(_path(root, run, rel), "plddt", rel).astype(float).ravel()
            read.append(rel)
            if len(values) != len(tokens):
                problems.append(
                    f"{rel} has {len(values)} values for {len(tokens)} tokens: pLDDT read from the structure's B-factors instead."
                )
            else:
                per_residue = _from_tokens(tokens, plddt_values_0_100(values.tolist()))
                confidence = _plddt_confidence(per_residue, f"pLDDT from Boltz's {rel} (0–1, shown ×100).")
        except RunFileError as error:
            problems.append(f"{error} pLDDT read from the structure's B-factors instead.")
    pae = None
    rel = ref.file("pae")
    if rel is None:
        problems.append("No PAE file for this model (Boltz writes pae_*.npz only with --write_full_pae).")
    else:
        try:
            pae = _pae(_matrix(read_npz_array(_path(root, run, rel), "pae", rel), rel), tokens, rel)
            read.append(rel)
        except RunFileError as error:
            problems.append(str(error))
    return confidence, scores, pae, pair_iptm


def _af3(
    root: Path,
    run: RunRef,
    ref: ModelRef,
    st: gemmi.Structure,
    parsed: ParsedStructure,
    problems: list[str],
    read: list[str],
) -> Parts:
    chains = _chain_order(st)
    scores = GlobalScores()
    pair_iptm: tuple[PairIptm, ...] = ()
    rel = ref.file("summary")
    if rel is not None:
        try:
            data = read_json_object(_path(root, run, rel), rel)
            read.append(rel)
            extra = tuple(
                (k, float(v))
                for k in ("fraction_disordered", "has_clash", "num_recycles")
                if (v := finite(data.get(k))) is not None
            )
            scores = GlobalScores(
                ptm=to_fraction(data.get("ptm")),
                iptm=to_fraction(data.get("iptm")),
                ranking_score=finite(data.get("ranking_score")),
                ranking_name="ranking_score",
                extra=extra,
            )
            pair_iptm = _pair_iptm_matrix(data.get("chain_pair_iptm"), chains)
        except RunFileError as error:
            problems.append(str(error))
    else:
        problems.append("No summary confidences file: no pTM/ipTM for this model.")
    confidence, pae = None, None
    rel = ref.file("full_data") or ref.file("confidences")
    if rel is None:
        problems.append("No full-data/confidences JSON: no PAE; pLDDT read from the structure's B-factors.")
        return confidence, scores, pae, pair_iptm
    try:
        data = read_json_object(_path(root, run, rel), rel)
        read.append(rel)
    except RunFileError as error:
        problems.append(f"{error} pLDDT read from the structure's B-factors instead; no PAE.")
        return confidence, scores, pae, pair_iptm
    atoms = data.get("atom_plddts")
    if isinstance(atoms, list):
        values = residue_plddt_from_atoms(st, atoms)
        if values is None:
            problems.append(f"{rel}: {len(atoms)} atom pLDDTs for a structure of another size; B-factors used instead.")
        else:
            factor = 100.0 if all(v is None or v <= 1 for v in values.values()) else 1.0
            confidence = _plddt_confidence(
                {k: None if v is None else v * factor for k, v in values.items()},
                f"pLDDT from AlphaFold 3's atom_plddts in {rel}, one value per residue (its CA atom, 0–100).",
            )
    if "pae" in data:
        try:
            matrix = _matrix(data["pae"], rel)
            tokens, why = af3_tokens(st, data.get("token_chain_ids") or [], data.get("token_res_ids") or [])
            if tokens is None and not why:
                why = "no token_chain_ids/token_res_ids"
            pae = _pae(matrix, tokens, rel, why)
        except RunFileError as error:
            problems.append(str(error))
    else:
        problems.append(f"{rel} has no 'pae'.")
    return confidence, scores, pae, pair_iptm


def _colabfold(
    root: Path,
    run: RunRef,
    ref: ModelRef,
    st: gemmi.Structure,
    parsed: ParsedStructure,
    problems: list[str],
    read: list[str],
) -> Parts:
    tokens = polymer_tokens(st)
    scores, confidence, pae = GlobalScores(), None, None
    pair_iptm: tuple[PairIptm, ...] = ()
    rel = ref.file("scores")
    data: dict[str, Any] = {}
    if rel is None:
        problems.append("No scores JSON for this model: pLDDT read from the B-factors, no PAE.")
    else:
        data = _read_object(root, run, rel, problems, read) or {}
    if data:
        scores = GlobalScores(ptm=to_fraction(data.get("ptm")), iptm=to_fraction(data.get("iptm")))
        plddt = data.get("plddt")
        if isinstance(plddt, list) and len(plddt) == len(tokens):
            values = plddt_values_0_100(plddt)
            confidence = _plddt_confidence(_from_tokens(tokens, values), f"pLDDT from {rel} (0–100).")
        elif isinstance(plddt, list):
            problems.append(f"{rel}: {len(plddt)} pLDDT values for {len(tokens)} residues; B-factors used instead.")
        chains = _chain_order(st)
        pair_iptm = _pair_iptm_by_letters(data.get("pairwise_iptm"), chains)
    source, raw = (rel, data.get("pae")) if data.get("pae") is not None else (None, None)
    if raw is None and ref.file("pae_v1"):
        raw, source = _afdb_pae(root, run, ref.file("pae_v1") or "", problems, read)
    if raw is not None and source is not None:
        try:
            pae = _pae(_matrix(raw, source), tokens, source)
        except RunFileError as error:
            problems.append(str(error))
    elif data:
        problems.append("No PAE in the scores JSON or a predicted_aligned_error_v1.json.")
    return confidence, scores, pae, pair_iptm


def _afdb_pae(root: Path, run: RunRef, rel: str, problems: list[str], read: list[str]) -> tuple[Any, str | None]:
    """The matrix of an AlphaFold DB-format PAE file ([{"predicted_aligned_error": [[...]]}]) and its name."""
    try:
        v1 = read_json(_path(root, run, rel), rel)
        read.append(rel)
    except RunFileError as error:
        problems.append(str(error))
        return None, None
    if isinstance(v1, list) and v1 and isinstance(v1[0], dict):  # AlphaFold DB writes [{...}]
        v1 = v1[0]
    return (v1.get("predicted_aligned_error"), rel) if isinstance(v1, dict) else (None, None)


def _af2_deepmind(
    root: Path,
    run: RunRef,
    ref: ModelRef,
    st: gemmi.Structure,
    parsed: ParsedStructure,
    problems: list[str],
    read: list[str],
) -> Parts:
    """pLDDT from the B-factors (run_alphafold.py writes it there), the ranking confidence from
    ranking_debug.json, the PAE from pae_<model>.json. pTM and ipTM alone are only in the pickles."""
    scores = GlobalScores()
    model = ref.label.partition(" · ")[2]
    rel = ref.file("ranking")
    data = _read_object(root, run, rel, problems, read) if rel is not None else None
    for key in ("iptm+ptm", "plddts"):
        value = finite(data.get(key, {}).get(model)) if data and isinstance(data.get(key), dict) else None
        if value is not None:
            ranking = to_fraction(value) if key == "iptm+ptm" else value
            name = "ranking confidence (0.8·ipTM + 0.2·pTM)" if key == "iptm+ptm" else "mean pLDDT (ranking)"
            scores = GlobalScores(ranking_score=ranking, ranking_name=name)
            break
    problems.append(
        "pTM and ipTM of AlphaFold2 runs are only in result_<model>.pkl, a pickle, which is never read "
        "(loading a pickle can run code): no pTM/ipTM for this model."
    )
    pae = None
    if ref.file("pae_v1"):
        raw, source = _afdb_pae(root, run, ref.file("pae_v1") or "", problems, read)
        if raw is not None and source is not None:
            try:
                pae = _pae(_matrix(raw, source), polymer_tokens(st), source)
            except RunFileError as error:
                problems.append(str(error))
    elif model:
        problems.append(f"No pae_{model}.json (written for pTM and multimer models only): no PAE.")
    return None, scores, pae, ()


AFFINITY_KEYS = (
    ("affinity_pred_value", "affinity: log10(IC50 / µM), ensemble"),
    ("affinity_probability_binary", "affinity: probability of binding, ensemble"),
    ("affinity_pred_value1", "affinity: log10(IC50 / µM), model 1"),
    ("affinity_probability_binary1", "affinity: probability of binding, model 1"),
    ("affinity_pred_value2", "affinity: log10(IC50 / µM), model 2"),
    ("affinity_probability_binary2", "affinity: probability of binding, model 2"),
)


def _with_affinity(
    root: Path, run: RunRef, ref: ModelRef, scores: GlobalScores, problems: list[str], read: list[str]
) -> GlobalScores:
    """Boltz-2's affinity head (affinity_<name>.json), added to the scores as the tool names it."""
    rel = ref.file("affinity")
    if rel is None:
        return scores
    data = _read_object(root, run, rel, problems, read)
    if data is None:
        return scores
    found = tuple((label, float(v)) for key, label in AFFINITY_KEYS if (v := finite(data.get(key))) is not None)
    return dataclasses.replace(scores, extra=scores.extra + found)
