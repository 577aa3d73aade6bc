"""The Humanization section: compare the strategies and review the chosen one residue by residue.

All computation lives in `app.humanization` (numbering, alignment, mutation bookkeeping, liability
scan); this module lays it out. Untrusted text goes through md_escape, st.dataframe or html.escape.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Sequence

import pandas as pd
import pandas.io.formats.style  # Styler (and jinja2) at import time, not on a user's first open
import streamlit as st

from app.client import FetchedJob
from app.conventions import SEVERITY_MEANING
from app.humanization import exports, flags, tables, vhh
from app.humanization.review import ChainReview, StrategyReview, review_strategy
from app.models import (
    FcAnalysis,
    HumanizationResultRow,
    Humanness,
    Liabilities,
    Mutations,
    PerChain,
    ScfvAnalysis,
    Unparsed,
    VhhAnalysis,
)
from app.models.contract import read_results
from app.residues import DEFINITION_ORDER, DEFINITIONS
from app.view import JobView
from components import humanization_figures as figures
from components.formatting import fmt_percent, md_code, md_escape, text_table
from components.humanization_alignment import build_alignment_html
from components.memo import view
from components.raw_json import lazy_expander, raw_expander, render_unparsed, render_unread
from components.sidebar import sample_title

log = logging.getLogger(__name__)

CDR_ROW_STYLE = "background-color: #FDE2DC"


@functools.lru_cache(maxsize=32)
def _reviews(results_json: str) -> tuple[StrategyReview, ...]:
    """Review every strategy once per distinct `results` content (numbering and alignment are the slow
    parts). An in-process cache keyed by content: the reviews hold pydantic models, which st.cache_data
    cannot pickle, and the same content gives the same review whoever asks."""
    rows = read_results(json.loads(results_json))  # the contract's reading: a row it cannot read is left out
    reviews = []
    for position, row in enumerate(rows):
        if not isinstance(row, HumanizationResultRow):
            continue  # shown as raw JSON by `render`
        try:
            reviews.append(review_strategy(row, position))
        except Exception:  # data nobody foresaw: this strategy is left out, the others are reviewed
            log.exception("humanization: reviewing strategy %d failed", position + 1)
    return tuple(reviews)


def _reviews_of(fetched: FetchedJob) -> tuple[StrategyReview, ...]:
    raw_results = fetched.raw.get("results")
    return _reviews(json.dumps(raw_results if isinstance(raw_results, list) else [], sort_keys=True, default=str))


def strategy_reviews(fetched: FetchedJob) -> tuple[StrategyReview, ...]:
    """The reviewed strategies of a job (cached by the content of `results`; the same tuple each time).
    Keyed by the cached job object first, so a rerun does not serialise the results again to find them."""
    return view(_reviews_of, fetched)


def _unique_names(reviews: Sequence[StrategyReview]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for review in reviews:
        seen[review.name] = seen.get(review.name, 0) + 1
        names.append(review.name if seen[review.name] == 1 else f"{review.name} ({seen[review.name]})")
    return names


def _safely(draw: Callable[..., None], what: str, *args: object) -> None:
    """Draw one part; if it fails on data nobody foresaw, say so there and keep drawing the rest."""
    try:
        draw(*args)
    except Exception as error:
        log.exception("humanization: %s failed", what)
        st.error(
            f"This dashboard could not draw {what} ({md_escape(type(error).__name__)}). The raw JSON is at the end of this section."
        )


def render(job: JobView) -> None:
    fetched = job.answer()
    raw_results = fetched.raw.get("results")
    for item in fetched.response.results:
        if isinstance(item, Unparsed):
            render_unparsed(item, "a humanization result")
    reviews = strategy_reviews(fetched) if fetched.response.strategies else ()
    if len(reviews) < len(fetched.response.strategies):
        st.error(
            f"{len(fetched.response.strategies) - len(reviews)} strategy(ies) could not be analysed and are left out; "
            "the raw JSON is at the end of this section."
        )
    if not reviews:
        st.info("This job has no humanization result that could be read.", icon=":material/info:")
        raw_expander(raw_results, "Raw JSON of the humanization results", key="hum-raw")
        return
    job_id = fetched.job_id

    st.subheader("Strategies side by side")
    _safely(_render_overview, "the strategy overview", reviews)

    names = _unique_names(reviews)
    chosen_name = st.selectbox(
        "Strategy to review",
        names,
        key="hum-strategy",
        bind="query-params",
        help="Everything below this picker describes the strategy chosen here.",
    )
    review = reviews[names.index(chosen_name)] if chosen_name in names else reviews[0]
    for what, value in review.problems:
        render_unparsed(value, what)
    if not review.chains:
        st.warning("This strategy holds no humanized sequence (humanized_vh / humanized_vl are empty).")

    st.subheader("Sequences")
    _safely(_render_sequences, "the sequence view", review)
    st.subheader("Mutations")
    _safely(_render_mutations, "the mutation table", review)
    st.subheader("Humanness")
    _safely(_render_humanness, "the humanness view", review, reviews)
    st.subheader("Liabilities")
    _safely(_render_liabilities, "the liabilities", review)
    st.subheader("Numbering")
    _safely(_render_numbering, "the numbering", review)
    _safely(_render_vhh, "the VHH analysis", review)
    _safely(_render_scfv, "the scFv analysis", review)
    _safely(_render_fc, "the Fc analysis", review)
    st.subheader("Downloads")
    about = fetched.response.job
    _safely(_render_downloads, "the downloads", reviews, job_id, about.job_type, sample_title(about.id))
    raw_expander(raw_results, "Raw JSON of the humanization results", key="hum-raw")


def _render_unread_items(value: object, what: str) -> None:
    """The items of the strategy's per-chain lists (mutations, liabilities, humanness peptides) that could
    not be read, in the subsection that shows their readable siblings."""
    if isinstance(value, (Mutations, Liabilities)):
        for field, items in value.unread.items():
            render_unread(items, f"{field.upper()} {what}")
    elif isinstance(value, PerChain):
        for chain in ("vh", "vl"):
            humanness = getattr(value, chain)
            if isinstance(humanness, Humanness):
                render_unread(humanness.unread.get("peptides", ()), f"{chain.upper()} {what}")


# --- overview ----------------------------------------------------------------------------------


def _overview_tables(reviews: tuple[StrategyReview, ...]):
    """(mutation counts, humanness and liabilities or None): numbers only, no "best" marks."""
    frame, _better = tables.overview_frame(list(reviews))
    mutations, other = tables.split_overview(frame)
    return tables.per_chain_rows(mutations), (other if len(other.columns) > 1 else None)


def _counts_table(frame, key: str) -> None:
    """Numbers formatted by column settings, not a Styler: a Styler is rendered cell by cell in Python
    on every rerun (about a tenth of a section switch's CPU under load, bench/load.py)."""
    formats = {
        c: st.column_config.NumberColumn(format="%.1f" if c.endswith("%") else "%d")
        for c in frame.columns
        if c not in ("Strategy", "Chain")
    }
    st.dataframe(frame, hide_index=True, width="stretch", key=key, column_config=formats, placeholder="—")


def _candidate_flags(reviews: tuple[StrategyReview, ...]):
    return [(review.name, flags.candidate_flags(review)) for review in reviews]


def _render_overview(reviews: tuple[StrategyReview, ...]) -> None:
    per_candidate = view(_candidate_flags, reviews)
    for name, found in per_candidate:
        warnings = [f.text for f in found if f.level == flags.WARN]
        if warnings:
            st.warning(
                f"**{md_escape(name)}**: " + "; ".join(md_escape(w) for w in warnings), icon=":material/warning:"
            )
    st.markdown("**Trade-offs per candidate**")
    frame = pd.DataFrame(
        {
            "Strategy": [name for name, _ in per_candidate],
            "Flags": ["; ".join(f.text for f in found) or "none" for _, found in per_candidate],
        }
    )
    st.table(text_table(frame), hide_index=True, border="horizontal")  # a static table: the flags wrap, never cut off
    mutations, other = view(_overview_tables, reviews)
    st.markdown("**Mutations per chain** (parental → humanized)")
    _counts_table(mutations, "hum-overview-mutations")
    if other is not None:
        st.markdown("**Humanness and liabilities**")
        _counts_table(other, "hum-overview-humanness")
    st.caption(
        "No value is marked best: the most human candidate may be the one that changed hallmarks or CDRs, so "
        "read the flags above with the numbers. Click a header to sort. "
        "CDR any = mutations in a CDR under at least one of the IMGT, Kabat, Chothia and North definitions "
        "(each numbered here with immunum in its own scheme); the CDR IMGT … CDR North columns count each "
        "definition alone. FR counts the numbering's own framework regions. "
        "FR kept % = parental framework residues left unchanged; Vernier = Kabat Vernier-zone positions "
        "(numbered here in Kabat with immunum); humanness columns are percentages; liabilities count both chains."
    )


# --- sequences ---------------------------------------------------------------------------------


def _alignment_html(chain: ChainReview, track) -> str:
    return build_alignment_html(chain, track.non_human_cover if track else None)


def _render_sequences(review: StrategyReview) -> None:
    st.caption(
        "Parental over humanized, column by column. Highlighted letters are mutations; the coloured band gives "
        "the region; bars under the humanized row mark liabilities (hover a residue for its position and details)."
    )
    for chain in review.chains:
        track = view(figures.peptide_track_for, chain)
        facts = [chain.numbering.describe(), f"alignment: {chain.alignment.method}"]
        if not chain.has_parental:
            facts.append("no parental sequence sent: the humanized chain is shown with its regions")
        st.markdown(f"**{chain.name}** · {len(chain.humanized)} residues · " + " · ".join(md_escape(f) for f in facts))
        st.html(view(_alignment_html, chain, track))


# --- mutations ---------------------------------------------------------------------------------


def _mutation_table(review: StrategyReview):
    return tables.mutation_frame([review]).drop(columns=["Strategy"])


def _region_counts(review: StrategyReview):
    return tables.region_counts_frame(list(review.chains))


def _filter_definition(review: StrategyReview) -> str:
    """The CDR definition of the numbering's own scheme (IMGT when it has none): the region filter uses it."""
    scheme = next((c.numbering.scheme for c in review.chains if c.numbering.scheme), None)
    return scheme if scheme in DEFINITIONS else "imgt"


def _render_mutations(review: StrategyReview) -> None:
    _render_unread_items(review.row.mutations, "mutation(s)")
    frame = view(_mutation_table, review)
    if frame.empty:
        if any(c.has_parental for c in review.chains):
            st.info("No mutations: the humanized chains are identical to the parental ones.")
        else:
            st.info("The service listed no mutations and sent no parental sequence to compare with.")
        return
    definition = _filter_definition(review)
    region_column = f"region_{definition}"
    # The table takes the full width (its eleven columns fit at 1280 px only so); counts go below.
    chains = [c.name for c in review.chains]
    regions = sorted(
        frame[region_column].unique(),
        key=lambda r: tables.REGION_ORDER.index(r) if r in tables.REGION_ORDER else 99,
    )
    f1, f2 = st.columns(2)
    chosen_chains = f1.multiselect("Chain", chains, default=chains, key="hum-chain-filter")
    chosen_regions = f2.multiselect(
        f"Region ({DEFINITIONS[definition].title} definition)", regions, default=regions, key="hum-region-filter"
    )
    shown = frame[frame["Chain"].isin(chosen_chains) & frame[region_column].isin(chosen_regions)]
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key="hum-mutations",
        column_config={
            "Position": st.column_config.TextColumn("Position", help="Label in the numbering scheme", width=68),
            "Index": st.column_config.NumberColumn(
                "Index", help="1-based residue index in the humanized chain", width=52
            ),
            "Vernier": st.column_config.CheckboxColumn("Vernier", help="Kabat Vernier-zone position", width=62),
            "Chain": st.column_config.TextColumn("Chain", width=52),
            "From": st.column_config.TextColumn("From", width=48),
            "To": st.column_config.TextColumn("To", width=40),
            "Source": st.column_config.TextColumn(
                "Source", help="Listed by the service, or found here by aligning parental and humanized"
            ),
            "CDR under": st.column_config.TextColumn(
                "CDR under", help="The CDR definitions under which this residue is in a CDR (— = none)", width=105
            ),
            **{
                f"region_{d}": st.column_config.TextColumn(
                    f"region_{d}", help=f"Region under the {DEFINITIONS[d].describe()}", width=98
                )
                for d in DEFINITION_ORDER
            },
        },
    )
    st.caption(f"{len(shown)} of {len(frame)} mutations shown.")
    counts, notes = st.columns([1, 2], gap="medium")
    with counts:
        st.markdown("**Per region**")
        st.dataframe(view(_region_counts, review), width="stretch", key="hum-region-counts")
    with notes:
        st.markdown("**Per chain**")
        for chain in review.chains:
            c = chain.counts
            kept = fmt_percent(c.framework_kept, 1) if c.framework_kept is not None else "—"
            per_definition = " · ".join(f"{DEFINITIONS[d].title} {c.cdr_under(d)}" for d in DEFINITION_ORDER)
            st.caption(
                f"{chain.name}: {c.total} total · {c.framework} FR · {c.cdr_any} CDR under any definition "
                f"({per_definition}) · {c.vernier} Vernier · FR kept {kept}"
            )


# --- humanness ---------------------------------------------------------------------------------


HUMANNESS_METRICS = (
    (
        "percentile",
        "OASis percentile",
        "Share of human antibodies less human than this chain (OASis). Higher is more human.",
    ),
    ("identity", "Identity", "Identity to the closest human germline (0–100 %)."),
    ("germline_content", "Germline content", "Share of the chain's 9-mers found in human germlines."),
    ("parental_identity", "Parental identity", "Identity of the humanized chain to the parental chain."),
)


def _render_humanness(review: StrategyReview, reviews: list[StrategyReview]) -> None:
    _render_unread_items(review.row.oasis_score, "humanness peptide(s)")
    have = [c for c in review.chains if c.humanness is not None]
    if not have:
        st.info("The service sent no humanness scores for this strategy.")
    # Only the scores the service gave for some chain: no column of dashes.
    shown = [m for m in HUMANNESS_METRICS if any(getattr(c.humanness, m[0]) is not None for c in have)]
    missing = [m[1] for m in HUMANNESS_METRICS if m not in shown]
    for chain in have:
        h = chain.humanness
        assert h is not None  # `have` holds the chains with humanness
        cols = st.columns([1] + [1] * len(shown)) if shown else [st.container()]
        cols[0].markdown(f"**{chain.name}**")
        for col, (field, title, meaning) in zip(cols[1:], shown):
            col.metric(title, fmt_percent(getattr(h, field)), help=meaning)
    if have and missing:
        st.caption(f"Not given by the service: {', '.join(missing)}.")
    if len(reviews) > 1:
        figure = view(figures.humanness_comparison, reviews)
        if figure is not None:
            st.plotly_chart(figure, key="hum-humanness-chart", width="stretch")
    tracks = [(chain, view(figures.peptide_track_for, chain)) for chain in have]
    for chain, track in tracks:
        if track is None:
            continue
        st.markdown(
            f"**{chain.name}: non-human 9-mers along the chain** · {track.peptides_non_human} of "
            f"{track.peptides_total} peptides not found human"
        )
        st.plotly_chart(view(figures.peptide_track_figure, chain, track), key=f"hum-track-{chain.key}", width="stretch")
    if have and not any(track for _, track in tracks):
        st.caption("The service sent no per-peptide humanness, so no track along the sequence is shown.")


# --- liabilities -------------------------------------------------------------------------------


def _liability_tables(review: StrategyReview):
    """(where they fall; by type and severity; added or removed by humanization)."""
    chains = list(review.chains)
    frame = tables.liability_frame([review]).drop(columns=["Strategy", "Start", "End"])
    return frame, tables.liability_summary_frame(chains), tables.liability_changes_frame(chains)


def _cdr_rows_shaded(frame):
    cdr_rows = frame["In CDR"].tolist()
    return frame.style.apply(lambda row: [CDR_ROW_STYLE if cdr_rows[row.name] else ""] * len(row), axis=1)


def _render_liabilities(review: StrategyReview) -> None:
    _render_unread_items(review.row.liabilities, "liability(ies)")
    chains = list(review.chains)
    for chain in chains:
        if chain.liability_source != "service":
            st.info(
                f"{chain.name}: the service sent no liabilities, so the chain was scanned here with the motif list of "
                "the conventions (OPIG's list; severities after Satława et al. 2024). CDR-only motifs count when their "
                "liable residue is in a CDR; deamidation and isomerization also at Vernier positions.",
                icon=":material/search:",
            )
        for note in chain.liability_notes:
            st.caption(f"{chain.name}: {md_escape(note)}")
    frame, summary, changes = view(_liability_tables, review)
    if frame.empty:
        st.success("No liabilities found on the humanized chains.")
    else:
        regraded = int((frame["Service said"] != "").sum())
        if not regraded:
            frame = frame.drop(columns="Service said")
        note = SEVERITY_MEANING
        if regraded:
            note += (
                f" {regraded} of the service's severities differ from that class (e.g. every CDR Trp called high): "
                "the class is shown, the service's word under 'Service said'."
            )
        st.caption(note)
        left, right = st.columns([2, 3])
        with left:
            st.markdown("**By type and severity**")
            st.dataframe(summary, hide_index=True, width="stretch", key="hum-liability-summary")
        with right:
            st.markdown("**Where they fall** (rows in a CDR are shaded red)")
            st.dataframe(
                _cdr_rows_shaded(frame),
                hide_index=True,
                width="stretch",
                key="hum-liabilities",
                column_config={
                    "Position": st.column_config.TextColumn(
                        "Position", help="Label of the first residue in the numbering scheme"
                    )
                },
            )
    if any(c.has_parental for c in chains):
        st.markdown(
            "**Added or removed by humanization** (parental and humanized both scanned here with the same rules)"
        )
        if changes.empty:
            st.caption("Humanization neither added nor removed a liability motif.")
        else:
            st.dataframe(changes, hide_index=True, width="stretch", key="hum-liability-changes")


# --- numbering and analyses --------------------------------------------------------------------


def _render_numbering(review: StrategyReview) -> None:
    if not review.chains:
        return
    tabs = st.columns(len(review.chains))
    for col, chain in zip(tabs, review.chains):
        with col:
            st.markdown(f"**{chain.name}** · {md_escape(chain.numbering.describe())}")
            with lazy_expander(f"{chain.name} numbering table", key=f"hum-numbering-open-{chain.key}") as is_open:
                if is_open:
                    st.dataframe(
                        tables.numbering_frame(chain),
                        hide_index=True,
                        width="stretch",
                        height=320,
                        key=f"hum-numbering-{chain.key}",
                    )


def _notes(notes: list[str]) -> None:
    for note in notes:
        st.caption(md_escape(note))


def _render_vhh(review: StrategyReview) -> None:
    value = review.row.vhh_analysis
    if value is None or isinstance(value, Unparsed):
        return
    analysis: VhhAnalysis = value
    st.subheader("VHH analysis")
    cols = st.columns(3)
    cols[0].metric("Single domain (VHH)", {True: "yes", False: "no", None: "—"}[analysis.is_vhh])
    cols[1].metric("CDR3 length", analysis.cdr3_length if analysis.cdr3_length is not None else "—")
    cols[2].metric("Hallmark scheme", md_escape((analysis.hallmark_scheme or "—").upper()))
    vh = review.chain("vh")
    humanized_imgt = vhh.imgt_residue_map(vh.humanized) if vh else None
    rows = vhh.hallmark_rows(analysis.hallmarks, analysis.humanized_hallmarks, analysis.hallmark_scheme, humanized_imgt)
    # st.table wraps long text ("What it means"); a dataframe cell would cut it off.
    st.table(text_table(pd.DataFrame(rows)), hide_index=True, border="horizontal")
    st.caption(
        "Hallmarks: Kabat 37, 44, 45, 47 = IMGT 42, 49, 50, 52. Camelid VHH typically F/Y42, E/Q49, R/C50, F/G/L/W52; "
        "human VH V42, G49, L50, W52. Humanizing them makes the former VL interface VH-like (less soluble alone)."
    )
    _notes(analysis.notes)


def _render_scfv(review: StrategyReview) -> None:
    value = review.row.scfv_analysis
    if value is None or isinstance(value, Unparsed):
        return
    analysis: ScfvAnalysis = value
    st.subheader("scFv analysis")
    cols = st.columns(3)
    cols[0].metric("Orientation", md_escape(analysis.orientation or "—"))
    cols[1].metric("Linker length", analysis.linker_length if analysis.linker_length is not None else "—")
    cols[2].markdown("**Linker**")
    cols[2].code(analysis.linker or "—", language=None)
    if analysis.linker_flags:
        st.markdown("**Linker flags:** " + ", ".join(md_code(f) for f in analysis.linker_flags))
    vh, vl = review.chain("vh"), review.chain("vl")
    construct = exports.scfv_construct(
        vh.humanized if vh else None, vl.humanized if vl else None, analysis.orientation, analysis.linker
    )
    if construct:
        st.markdown(
            f"**Assembled humanized scFv** ({md_escape(analysis.orientation or '')}, {len(construct)} aa; "
            "also in the FASTA download)"
        )
        st.code(construct, language=None, wrap_lines=True)
    _notes(analysis.notes)


def _render_fc(review: StrategyReview) -> None:
    value = review.row.fc_analysis
    if value is None or isinstance(value, Unparsed):
        return
    analysis: FcAnalysis = value
    st.subheader("Fc analysis")
    cols = st.columns(3)
    cols[0].metric("Isotype", md_escape(analysis.isotype or "—"))
    cols[1].metric("Allotype", md_escape(analysis.allotype or "not called"))
    cols[2].metric("Half-life extension", {True: "yes", False: "no", None: "—"}[analysis.half_life_extension])
    st.markdown(f"**Effector function:** {md_escape(analysis.effector_function or '—')}")
    render_unread(analysis.unread.get("engineered_mutations", ()), "engineered Fc mutation(s)")
    if analysis.engineered_mutations:
        rows = [
            {"EU position": m.eu_position, "From": m.from_aa, "To": m.to_aa, "Name": m.name, "Effect": m.effect}
            for m in analysis.engineered_mutations
        ]
        st.table(text_table(pd.DataFrame(rows).fillna("—")), hide_index=True, border="horizontal")  # wraps "Effect"
    else:
        st.caption("No engineered Fc mutations reported.")
    _notes(analysis.notes)


# --- downloads ---------------------------------------------------------------------------------


def _render_downloads(
    reviews: list[StrategyReview], job_id: str, job_type: str | None = None, title: str | None = None
) -> None:
    cols = st.columns(3)
    # Callables: each file is built when its button is clicked, not on every rerun.
    reviews = list(reviews)
    cols[0].download_button(
        "FASTA: parental + every strategy",
        lambda: exports.fasta(reviews, job_id, job_type, title),
        on_click="ignore",
        file_name=exports.file_name(job_id, "humanization", "fasta"),
        mime="text/plain",
        key="hum-download-fasta",
    )
    cols[1].download_button(
        "CSV: mutations (all strategies)",
        lambda: exports.csv_text(tables.mutation_frame(reviews)),
        on_click="ignore",
        file_name=exports.file_name(job_id, "mutations", "csv"),
        mime="text/csv",
        key="hum-download-mutations",
    )
    cols[2].download_button(
        "CSV: liabilities (all strategies)",
        lambda: exports.csv_text(tables.liability_frame(reviews)),
        on_click="ignore",
        file_name=exports.file_name(job_id, "liabilities", "csv"),
        mime="text/csv",
        key="hum-download-liabilities",
    )
