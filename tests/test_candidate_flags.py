"""Trade-offs next to the numbers instead of "best" marks (issue 13, item 2)."""

from __future__ import annotations

import re

CAPLACIZUMAB = "36435fac-4bc7-5211-9555-2ac31c0a7bed"  # cdr_grafting converts 3 of 4 VHH hallmarks
CETUXIMAB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"


def test_hallmark_conversion_is_a_warning_at_the_top_and_nothing_is_green(open_page):
    at = open_page(CAPLACIZUMAB, section="Humanization")
    assert not at.exception
    warnings = [w.value for w in at.warning]
    graft = next(w for w in warnings if w.startswith("**cdr\\_grafting**") or w.startswith("**cdr_grafting**"))
    assert "3 of 4 VHH hallmarks changed to human VH residues" in graft
    flags = shown(next(t.value for t in at.table if "Flags" in t.value.columns))
    assert flags.set_index("Strategy").loc["cdr_grafting", "Flags"].startswith("3 of 4 VHH hallmarks changed")
    # the first warning sits above the strategy tables (the section's top), and no cell is coloured "best"
    assert "D1F2D9" not in str(at._tree) and "background-color" not in str(
        [df.proto for df in at.dataframe if "CDR any" in df.value.columns]
    )


def test_vernier_and_liability_changes_are_flagged(open_page):
    at = open_page(CETUXIMAB, section="Humanization")
    flags = shown(next(t.value for t in at.table if "Flags" in t.value.columns)).set_index("Strategy")["Flags"]
    assert flags["cdr_grafting"].startswith("VH: 5 Vernier-zone change(s)")
    assert "Vernier" not in flags["back_mutation"]  # the back-mutations restored them
    assert "VL: liabilities removed (1× N-glycosylation)" in flags["back_mutation"]


def shown(frame):
    """The table as a reader sees it: st.table renders Markdown, so its cells hold escaped text."""
    return frame.map(lambda cell: re.sub(r"\\(.)", r"\1", cell) if isinstance(cell, str) else cell)
