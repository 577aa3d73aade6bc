"""Schema fuzzing: generated payloads, from valid to wrongly shaped, through every section of the page.

Hypothesis builds 200 bodies of GET /jobs/{id}: every field either of the contract's shape (with
edge values: NaN, 0-100 scores, negative and out-of-range positions, sequences with odd letters, huge
lists, empty strings) or of a wrong type. Each body is served by a real sample server over loopback
and opened in AppTest; every section tab of the job is then opened in turn. None may raise.

A second generator mixes readable and broken items in every list (result rows, mutations, epitopes,
CDR rows, interface labels, stabilizing mutations, deimmunization suggestions): each readable item
carries a unique tag, and every tag must show on the page of its section, so one broken sibling
can never hide it.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sample_api import DEFAULT_DATA_DIR, start_in_thread
from app.sample_api.store import Sample
from tests.conftest import ARTIFACTS, ROOT
from tests.helpers import write_data_dir
from tests.hostile import sample_bodies

MAX_EXAMPLES = int(os.environ.get("ABDASH_FUZZ_EXAMPLES", "200"))
MIXED_SHARE = 0.25  # of the examples go to the readable-and-broken-siblings test (same total time)
AA = "ACDEFGHIKLMNPQRSTVWY"
SECTION_NAMES = {
    "Overview",
    "Humanization",
    "Structure",
    "Stability",
    "Immunogenicity",
    "Complex",
    "Review",
    "Raw JSON",
}
COUNTS: dict = {"payloads": 0, "distinct_payloads": 0, "section_renders": 0, "by_section": {}}
_SEEN: set[int] = set()

# --- leaves --------------------------------------------------------------------------------------

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.just(""),
    st.text(max_size=12),
    st.lists(st.integers(-5, 5), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def weighted(*options: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of the strategies, chosen with the given weights (one_of alone leans to its first branch)."""
    pool = [strategy for weight, strategy in options for _ in range(weight)]
    return st.sampled_from(range(len(pool))).flatmap(lambda i: pool[i])


def maybe(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly the contract's shape, sometimes anything else."""
    return weighted((9, valid), (1, junk))


def fields(required: dict, optional: dict) -> st.SearchStrategy:
    """An object with its optional keys sometimes missing, and as often all present (deeper paths run)."""
    return weighted(
        (1, st.fixed_dictionaries(required, optional=optional)), (1, st.fixed_dictionaries({**required, **optional}))
    )


def section(row: st.SearchStrategy) -> st.SearchStrategy:
    """A result row: mostly present and of its shape; sometimes null or of a wrong type."""
    return weighted((6, row), (2, st.none()), (1, junk))


def huge(element: st.SearchStrategy, small: int = 12) -> st.SearchStrategy:
    """A short generated list, or a long one (up to 2000) made of one repeated element (cheap to build)."""
    return st.one_of(
        st.lists(element, max_size=small),
        st.lists(element, max_size=small),
        st.builds(lambda n, x: [x] * n, st.integers(200, 2000), element),
    )


SAMPLES = sample_bodies()
REAL_SEQUENCES = sorted(
    {
        r.get(k)
        for b in SAMPLES.values()
        for r in b.get("results") or []
        for k in ("humanized_vh", "humanized_vl", "parental_vh", "parental_vl")
        if r.get(k)
    }
)
STRUCTURE_PATHS = sorted(
    {b[k]["pdb_storage_path"] for b in SAMPLES.values() for k in ("structure_result", "complex_result") if b.get(k)}
)

sequence = st.one_of(
    st.sampled_from(REAL_SEQUENCES),
    st.sampled_from(REAL_SEQUENCES).map(lambda s: s[: len(s) // 2]),
    st.text(alphabet=AA, max_size=140),
    st.text(alphabet=AA + "XBZJOU*-.acgu ?1<>", max_size=140),
    st.just(""),
)
fraction = st.one_of(st.floats(0, 1), st.floats(0, 100), st.just(math.nan), st.floats(-1e6, 1e6), st.none())
index = st.one_of(st.integers(1, 130), st.integers(-1000, 0), st.integers(131, 10**6))
label = st.one_of(st.from_regex(r"[1-9][0-9]{0,2}[A-Z]?", fullmatch=True), st.text(max_size=6))
region = st.sampled_from(["FR1", "FR2", "FR3", "FR4", "CDR1", "CDR2", "CDR3", "", "cdr9", "H3"])
chain = st.sampled_from(["H", "L", "A", "B", "", "h", "HL", "Z"])
aa1 = st.one_of(st.sampled_from(list(AA)), st.text(max_size=3))
text = st.one_of(st.text(max_size=30), st.just(""))
texts = huge(text, 4)

# --- objects of the contract -----------------------------------------------------------------------

humanness = st.fixed_dictionaries(
    {"percentile": fraction, "identity": fraction, "germline_content": fraction},
    optional={
        "parental_identity": fraction,
        "peptides": huge(
            st.fixed_dictionaries(
                {
                    "start": maybe(index),
                    "peptide": maybe(sequence),
                    "human": maybe(st.booleans()),
                    "prevalence": maybe(fraction),
                }
            )
        ),
    },
)
mutation = st.fixed_dictionaries(
    {"position": maybe(label), "index": maybe(index), "from": maybe(aa1), "to": maybe(aa1), "region": maybe(region)},
    optional={"reason": maybe(st.sampled_from(["germline", "back-mutation", "vernier", ""]))},
)
liability = st.fixed_dictionaries(
    {
        "type": maybe(
            st.sampled_from(["deamidation", "isomerization", "n_glycosylation", "oxidation", "free_cysteine", "x"])
        ),
        "motif": maybe(text),
        "start": maybe(index),
        "end": maybe(index),
        "region": maybe(region),
        "severity": maybe(st.sampled_from(["low", "medium", "high", "extreme"])),
    }
)
numbered = st.fixed_dictionaries({"position": maybe(label), "aa": maybe(aa1), "region": maybe(region)})
per_chain = lambda element: st.fixed_dictionaries({}, optional={"vh": maybe(huge(element)), "vl": maybe(huge(element))})  # noqa: E731
result_row = fields(
    {
        "strategy": maybe(st.sampled_from(["cdr_grafting", "sapiens", "germline_framework", "back_mutation", ""])),
        "humanized_vh": maybe(sequence),
    },
    optional={
        "id": st.uuids().map(str),
        "humanized_vl": st.one_of(sequence, st.none(), junk),
        "parental_vh": maybe(sequence),
        "parental_vl": maybe(sequence),
        "oasis_score": maybe(st.fixed_dictionaries({}, optional={"vh": maybe(humanness), "vl": maybe(humanness)})),
        "mutations": maybe(per_chain(mutation)),
        "liabilities": maybe(per_chain(liability)),
        "numbering": maybe(
            st.fixed_dictionaries(
                {"scheme": maybe(st.sampled_from(["imgt", "kabat", "chothia", "aho", "martin", "x"]))},
                optional={"vh": maybe(huge(numbered)), "vl": maybe(huge(numbered))},
            )
        ),
        "vhh_analysis": st.one_of(
            st.none(),
            junk,
            st.fixed_dictionaries(
                {
                    "is_vhh": maybe(st.booleans()),
                    "hallmarks": maybe(st.dictionaries(label, aa1, max_size=5)),
                    "hallmark_scheme": maybe(text),
                    "cdr3_length": maybe(index),
                    "notes": maybe(texts),
                },
                optional={"humanized_hallmarks": maybe(st.dictionaries(label, aa1, max_size=5))},
            ),
        ),
        "scfv_analysis": st.one_of(
            st.none(),
            junk,
            st.fixed_dictionaries(
                {
                    "orientation": maybe(st.sampled_from(["VH-VL", "VL-VH", "?"])),
                    "linker": maybe(sequence),
                    "linker_length": maybe(index),
                    "linker_flags": maybe(texts),
                    "notes": maybe(texts),
                }
            ),
        ),
        "fc_analysis": st.one_of(
            st.none(),
            junk,
            st.fixed_dictionaries(
                {
                    "isotype": maybe(text),
                    "allotype": st.one_of(st.none(), text),
                    "engineered_mutations": maybe(
                        huge(
                            st.fixed_dictionaries(
                                {
                                    "eu_position": maybe(label),
                                    "from": maybe(aa1),
                                    "to": maybe(aa1),
                                    "name": maybe(text),
                                    "effect": maybe(text),
                                }
                            )
                        )
                    ),
                    "effector_function": maybe(text),
                    "half_life_extension": maybe(st.booleans()),
                    "notes": maybe(texts),
                }
            ),
        ),
    },
)
plddt_values = huge(
    st.one_of(st.floats(0, 100), st.floats(0, 1), st.just(math.nan), st.floats(-50, 500), st.none()), 150
)
structure_row = fields(
    {
        "pdb_storage_path": weighted(
            (3, st.sampled_from(STRUCTURE_PATHS)),
            (2, st.sampled_from(["broken/garbage.pdb", "broken/empty.cif", "absent.pdb", "", "../x.pdb"])),
            (1, junk),
        )
    },
    optional={
        "model_used": maybe(text),
        "confidence_score": maybe(fraction),
        "per_residue_plddt": maybe(st.dictionaries(chain, maybe(plddt_values), max_size=3)),
        "cdr_analysis": maybe(
            huge(
                st.fixed_dictionaries(
                    {
                        "cdr": maybe(st.sampled_from(["H1", "H2", "H3", "L1", "L2", "L3", "X9"])),
                        "chain": maybe(chain),
                        "start": maybe(index),
                        "end": maybe(index),
                        "sequence": maybe(sequence),
                        "length": maybe(index),
                        "mean_plddt": maybe(fraction),
                        "canonical_class": st.one_of(st.none(), text),
                    }
                )
            )
        ),
        "humanization_result_id": st.one_of(st.none(), st.uuids().map(str), junk),
    },
)
ddg_matrix = st.integers(0, 40).flatmap(
    lambda n: st.fixed_dictionaries(
        {
            "positions": maybe(
                st.lists(
                    st.one_of(st.from_regex(r"[HL]:[1-9][0-9]{0,2}", fullmatch=True), text), min_size=n, max_size=n
                )
            ),
            "amino_acids": maybe(st.one_of(st.just(list(AA)), st.lists(aa1, max_size=25))),
            "values": maybe(
                st.lists(
                    maybe(
                        st.lists(
                            st.one_of(
                                st.floats(-10, 10),
                                st.none(),
                                st.just(math.nan),
                                st.floats(allow_infinity=True, allow_nan=True),
                            ),
                            max_size=22,
                        )
                    ),
                    min_size=n,
                    max_size=n,
                )
            ),
        }
    )
)
stability_row = fields(
    {},
    optional={
        "ddg_matrix": maybe(ddg_matrix),
        **{
            k: maybe(fraction)
            for k in ("solubility_score", "aggregation_score", "thermostability_score", "developability_score")
        },
        "melting_temp_predicted": maybe(st.floats(-300, 300)),
        "stabilizing_mutations": maybe(
            huge(
                st.fixed_dictionaries(
                    {
                        "mutation": maybe(
                            st.one_of(st.from_regex(r"[HL]:[A-Z][1-9][0-9]?[A-Z]", fullmatch=True), text)
                        ),
                        "ddg": maybe(st.floats(-10, 10)),
                    },
                    optional={"confidence": maybe(fraction)},
                )
            )
        ),
        "model_versions": maybe(st.dictionaries(text, maybe(text), max_size=3)),
    },
)
mhc_epitope = st.fixed_dictionaries(
    {
        "chain": maybe(chain),
        "start": maybe(index),
        "end": maybe(index),
        "peptide": maybe(sequence),
        "allele": maybe(text),
        "percentile_rank": maybe(st.floats(-5, 200)),
    },
    optional={"core": maybe(sequence), "score": maybe(fraction)},
)
immunogenicity_row = fields(
    {},
    optional={
        "mhc1_epitopes": maybe(huge(mhc_epitope)),
        "mhc2_epitopes": maybe(huge(mhc_epitope)),
        "bcell_epitopes": maybe(
            huge(
                st.fixed_dictionaries(
                    {
                        "chain": maybe(chain),
                        "start": maybe(index),
                        "end": maybe(index),
                        "sequence": maybe(sequence),
                        "score": maybe(fraction),
                    }
                )
            )
        ),
        "deimmunization_suggestions": maybe(
            huge(
                st.fixed_dictionaries(
                    {
                        "chain": maybe(chain),
                        "position": maybe(index),
                        "from": maybe(aa1),
                        "to": maybe(aa1),
                        "epitopes_removed": maybe(index),
                    },
                    optional={"predicted_risk_after": maybe(fraction), "note": maybe(text)},
                )
            )
        ),
        **{k: maybe(fraction) for k in ("risk_score", "mhc1_risk", "mhc2_risk", "bcell_risk")},
        "model_versions": maybe(st.dictionaries(text, maybe(text), max_size=3)),
    },
)
complex_row = fields(
    {
        "pdb_storage_path": weighted(
            (3, st.sampled_from(STRUCTURE_PATHS)),
            (2, st.sampled_from(["broken/garbage.pdb", "absent.cif", ""])),
            (1, junk),
        )
    },
    optional={
        "antigen_id": st.one_of(st.uuids().map(str), junk),
        "model_used": maybe(text),
        "confidence_score": maybe(fraction),
        "iptm": maybe(fraction),
        "per_chain_plddt": maybe(st.dictionaries(chain, maybe(fraction), max_size=4)),
        "interface_residues": maybe(
            st.dictionaries(chain, maybe(weighted((4, huge(label)), (1, huge(maybe(label))))), max_size=3)
        ),
    },
)


@st.composite
def payloads(draw) -> dict:
    job = {
        "id": str(uuid.uuid4()),
        "status": draw(st.sampled_from(["completed", "completed", "failed", "canceled", "weird-status"])),
    }
    for key, value in draw(
        st.fixed_dictionaries(
            {},
            optional={
                "job_type": maybe(text),
                "variant_id": maybe(st.uuids().map(str)),
                "submitted_by": maybe(text),
                "error_message": st.one_of(st.none(), text),
                "created_at": maybe(st.sampled_from(["2026-11-02T09:00:00+00:00", "yesterday", ""])),
                "started_at": maybe(st.sampled_from(["2026-11-02T09:01:00Z", "2026-13-45T99:00:00"])),
                "completed_at": maybe(st.sampled_from(["2026-11-02T08:00:00+00:00", "2026-11-02T09:30:00+00:00"])),
            },
        )
    ).items():
        job[key] = value
    body = {"job": job}
    body["results"] = draw(
        weighted((6, st.lists(maybe(result_row), min_size=1, max_size=3)), (1, st.just([])), (1, junk))
    )
    body["structure_result"] = draw(section(structure_row))
    body["stability_result"] = draw(section(stability_row))
    body["immunogenicity_result"] = draw(section(immunogenicity_row))
    body["complex_result"] = draw(section(complex_row))
    for key in draw(
        st.sets(
            st.sampled_from(["structure_result", "stability_result", "immunogenicity_result", "complex_result"]),
            max_size=2,
        )
    ):
        body.pop(key)  # missing keys, not only nulls
    return body


# --- the page ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_page(tmp_path_factory):
    """One sample server on a tmp folder (payloads are added to its store) and one AppTest session."""
    import streamlit
    from streamlit.testing.v1 import AppTest

    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(DEFAULT_DATA_DIR / "storage", root / "storage")
    write_data_dir(
        root, [], {"broken/garbage.pdb": "ATOM  garbage\nHETATM\x00\x01 nonsense\n" * 5, "broken/empty.cif": ""}
    )
    server = start_in_thread(root)
    saved = {k: os.environ.get(k) for k in ("ABDASH_API_URL", "ABDASH_API_TOKEN", "ABDASH_TIMEOUT_S")}
    os.environ.update(ABDASH_API_URL=server.url, ABDASH_API_TOKEN=server.token, ABDASH_TIMEOUT_S="5")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    try:
        yield server, at, root
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        streamlit.cache_resource.clear()
        streamlit.cache_data.clear()
        server.stop()
        folder = ARTIFACTS / "counts"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "fuzz.json").write_text(json.dumps(COUNTS, indent=2))


def _exceptions(at) -> list[str]:
    return [f"{e.message}\n{''.join(e.stack_trace)}"[:3000] for e in at.exception]


@settings(
    max_examples=MAX_EXAMPLES - int(MAX_EXAMPLES * MIXED_SHARE),
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(body=payloads())
def test_no_generated_payload_raises_in_any_section(fuzz_page, body):
    server, at, root = fuzz_page
    job_id = body["job"]["id"]
    (root / "jobs" / f"{job_id}.json").write_text(json.dumps(body), encoding="utf-8")
    server.app.state.store.samples[job_id] = Sample(job_id, body, job_id, "", None)
    COUNTS["payloads"] += 1
    _SEEN.add(hash(json.dumps({k: v for k, v in body.items() if k != "job"}, sort_keys=True, default=str)))
    COUNTS["distinct_payloads"] = len(_SEEN)

    at.text_input(key="job_id").set_value(job_id).run()
    assert not at.exception, _exceptions(at)
    labels = list(dict.fromkeys(t.label for t in at.tabs if t.label in SECTION_NAMES))  # not tabs inside sections
    if not labels:  # a job whose id/status the page refused to read is an error message, not a traceback
        assert at.error
        return
    for section in labels:
        at.session_state["section"] = section
        at.run()
        COUNTS["section_renders"] += 1
        COUNTS["by_section"][section] = COUNTS["by_section"].get(section, 0) + 1
        assert not at.exception, (section, _exceptions(at))
    (root / "jobs" / f"{job_id}.json").unlink()


# --- readable items beside broken siblings ---------------------------------------------------------

BROKEN_VALUES = st.sampled_from([{"nested": "object"}, ["a", "list"]])


def _broken(item: dict, fields: list[str]) -> st.SearchStrategy:
    """`item` with one of `fields` (each strictly typed: text or integer) replaced by an object or a list."""
    return st.tuples(st.sampled_from(fields), BROKEN_VALUES).map(lambda fv: {**item, fv[0]: fv[1]})


def _mixed(valid: list, broken: st.SearchStrategy) -> st.SearchStrategy:
    """The valid items with one to three broken ones slipped in anywhere between them."""
    slots = st.lists(st.tuples(st.integers(0, len(valid) + 3), broken), min_size=1, max_size=3)

    def interleave(inserts: list[tuple[int, object]]) -> list:
        items = list(valid)
        for at, item in inserts:
            items.insert(min(at, len(items)), item)
        return items

    return slots.map(interleave)


@st.composite
def mixed_payloads(draw) -> tuple[dict, dict[str, set[str]]]:
    """(body, {section: tags that must show on it}): every list holds readable items tagged uniquely
    (letters and digits only, so no Markdown escaping changes them) and broken ones beside them."""
    n = draw(st.integers(0, 10**6))
    expected: dict[str, set[str]] = {s: set() for s in ("Overview", "Humanization", "Structure", "Complex")}
    expected |= {"Stability": set(), "Immunogenicity": set()}
    vh = draw(st.sampled_from(REAL_SEQUENCES))

    def mutation(j: int) -> dict:
        tag = f"mut{n}x{j}"
        return {"position": str(10 + j), "index": 10 + j, "from": vh[9 + j], "to": "W", "region": "FR1", "reason": tag}

    rows = []
    for k in range(draw(st.integers(1, 3))):
        strategy = f"strategy{n}x{k}"
        mutations = [mutation(j) for j in range(draw(st.integers(1, 3)))]
        row = {
            "strategy": strategy,
            "humanized_vh": vh,
            "mutations": {"vh": draw(_mixed(mutations, _broken(mutations[0], ["index", "from", "position"])))},
        }
        rows.append(row)
        expected["Overview"].add(strategy)
        expected["Humanization"].add(strategy)
        if k == 0:  # the strategy the page reviews first: its mutations are in the table
            expected["Humanization"] |= {m["reason"] for m in mutations}
    broken_row = _broken({"strategy": f"brokenrow{n}", "humanized_vh": vh}, ["humanized_vh", "strategy"])
    body: dict = {"job": {"id": str(uuid.uuid4()), "status": "completed"}, "results": draw(_mixed(rows, broken_row))}

    model_tag = f"structuremodel{n}"
    classes = [f"cdrclass{n}x{j}" for j in range(2)]
    cdrs = [{"cdr": "H3", "chain": "H", "start": 105, "end": 117, "canonical_class": c} for c in classes]
    body["structure_result"] = {
        "pdb_storage_path": draw(st.sampled_from(STRUCTURE_PATHS)),
        "model_used": model_tag,
        "cdr_analysis": draw(_mixed(cdrs, _broken(cdrs[0], ["start", "cdr"]))),
    }
    expected["Structure"] |= {model_tag, *classes}

    labels = [f"{900 + j}A" for j in range(3)]
    body["complex_result"] = {
        "pdb_storage_path": draw(st.sampled_from(STRUCTURE_PATHS)),
        "model_used": f"complexmodel{n}",
        "interface_residues": {"H": draw(_mixed(labels, BROKEN_VALUES))},
    }
    expected["Complex"] |= {f"complexmodel{n}", *labels}

    codes = [f"stab{n}x{j}" for j in range(2)]
    stabilizing = [{"mutation": code, "ddg": -1.0 - j} for j, code in enumerate(codes)]
    body["stability_result"] = {
        "stabilizing_mutations": draw(_mixed(stabilizing, _broken(stabilizing[0], ["mutation"])))
    }
    expected["Stability"] |= set(codes)

    peptides = ["".join(draw(st.lists(st.sampled_from(AA), min_size=9, max_size=9))) + f"{n}x{j}" for j in range(2)]
    epitopes = [
        {"chain": "H", "start": 1 + j, "end": 9 + j, "peptide": p, "allele": "HLA-DRB1*01:01", "percentile_rank": 1.0}
        for j, p in enumerate(peptides)
    ]
    notes = [f"note{n}x{j}" for j in range(2)]
    suggestions = [
        {"chain": "H", "position": 3 + j, "to": "A", "epitopes_removed": 1, "note": note}
        for j, note in enumerate(notes)
    ]
    body["immunogenicity_result"] = {
        "mhc2_epitopes": draw(_mixed(epitopes, _broken(epitopes[0], ["start", "end", "peptide"]))),
        "deimmunization_suggestions": draw(_mixed(suggestions, _broken(suggestions[0], ["position", "note"]))),
    }
    expected["Immunogenicity"] |= {*peptides, *notes}
    return body, expected


_SESSIONS: dict[str, Any] = {}


def _own_session() -> Any:
    """This test's own AppTest session (same server and environment as `fuzz_page`): what the first
    test left in its session (query parameters bound to its strategies and sections) never steers it."""
    if "siblings" not in _SESSIONS:
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        at.run()
        _SESSIONS["siblings"] = at
    return _SESSIONS["siblings"]


def _page_text(at) -> str:
    """What the page shows as text: Markdown, captions, metrics, pickers, table cells (raw JSON excluded)."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "subheader", "info", "warning", "success"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [str(o) for box in (*at.selectbox, *at.multiselect) for o in box.options]
    for frame in at.dataframe:
        value = frame.value
        parts.append(value.to_csv(index=False) if hasattr(value, "to_csv") else str(value))
    return "\n".join(parts)


@settings(
    max_examples=max(1, int(MAX_EXAMPLES * MIXED_SHARE)),
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=mixed_payloads())
def test_a_broken_item_never_hides_its_readable_siblings(fuzz_page, case):
    body, expected = case
    server, _, root = fuzz_page
    at = _own_session()
    job_id = body["job"]["id"]
    (root / "jobs" / f"{job_id}.json").write_text(json.dumps(body), encoding="utf-8")
    server.app.state.store.samples[job_id] = Sample(job_id, body, job_id, "", None)
    COUNTS["mixed_payloads"] = COUNTS.get("mixed_payloads", 0) + 1
    at.text_input(key="job_id").set_value(job_id).run()
    assert not at.exception, _exceptions(at)
    hidden: dict[str, list[str]] = {}
    for section, tags in expected.items():
        at.session_state["section"] = section
        at.run()
        COUNTS["section_renders"] += 1
        assert not at.exception, (section, _exceptions(at))
        text = _page_text(at)
        missing = sorted(tag for tag in tags if tag not in text)
        if section == "Structure" and {m.label: m.value for m in at.metric}.get("Residues", "—") == "—":
            missing.append("(the structure itself)")
        if missing:
            hidden[section] = missing + [f"page said: {e.value}" for e in (*at.error, *at.warning)]
    assert not hidden, f"readable items missing from the page beside a broken sibling: {hidden}"
    (root / "jobs" / f"{job_id}.json").unlink()
