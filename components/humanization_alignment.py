"""The parental-over-humanized sequence view as an HTML string (pure; rendered with st.html).

Every residue letter, label and tooltip comes from the service or is derived from it, so each one
passes through `html.escape` before it enters the markup; nothing else is interpolated but our own
constants (colours, class names).
"""

from __future__ import annotations

import html

from app.conventions import REGION_COLORS, REGION_ORDER
from app.humanization.review import ChainReview

SEVERITY_COLORS = {"high": "#C0392B", "medium": "#E67E22", "low": "#7F8C8D"}
UNKNOWN_SEVERITY_COLOR = "#8E44AD"
MUTATION_BG = "#FDE68A"
MUTATION_FG = "#9A1B1B"
NON_HUMAN_RGB = "106, 27, 154"  # purple shade for non-human 9-mer coverage
BLOCK = 10
LINE = 50
CELL_PX = 12

STYLE = f"""
<style>
.hum-aln {{ font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace;
  font-size: 14px; color: #1f2328; line-height: 1; overflow-x: auto; padding-bottom: 4px; }}
.hum-aln .line {{ display: flex; flex-wrap: wrap; column-gap: 8px; row-gap: 6px; margin: 0 0 14px 0; }}
.hum-aln .names, .hum-aln .blk {{ display: flex; flex-direction: column; row-gap: 2px; }}
.hum-aln .names div {{ height: 18px; line-height: 18px; font-family: sans-serif; font-size: 11px; color: #57606a;
  text-align: right; width: 74px; white-space: nowrap; }}
.hum-aln .r {{ display: flex; height: 18px; }}
.hum-aln .r span {{ width: {CELL_PX}px; height: 18px; line-height: 18px; text-align: center; flex: none; }}
.hum-aln .ruler span {{ text-align: left; font-size: 10px; color: #57606a; white-space: nowrap; overflow: visible; }}
.hum-aln .band span {{ height: 13px; margin-top: 2px; font-size: 9px; line-height: 13px; text-align: left;
  white-space: nowrap; overflow: hidden; font-family: sans-serif; font-weight: 600; color: #1f2328;
  padding-left: 2px; box-sizing: border-box; border-right: 1px solid #fff; }}
.hum-aln .par span {{ color: #57606a; }}
.hum-aln span.mut {{ background: {MUTATION_BG}; color: {MUTATION_FG}; font-weight: 700; border-radius: 2px; }}
.hum-aln .par span.mut {{ color: #6e4b00; font-weight: 400; }}
.hum-aln span.gap {{ color: #afb8c1; }}
.hum-aln .liab span {{ height: 5px; margin-top: 6px; }}
.hum-aln .nonhuman span {{ height: 8px; margin-top: 5px; }}
.hum-aln .key {{ font-family: sans-serif; font-size: 12px; color: #57606a; margin: 2px 0 10px 0; display: flex;
  flex-wrap: wrap; gap: 4px 14px; align-items: center; }}
.hum-aln .key i {{ display: inline-block; width: 14px; height: 10px; border-radius: 2px; margin-right: 4px;
  vertical-align: middle; }}
</style>
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _key(chain: ChainReview, with_nonhuman: bool) -> str:
    regions = "".join(f'<span><i style="background:{REGION_COLORS[r]}"></i>{r}</span>' for r in REGION_ORDER)
    parts = [regions]
    if chain.has_parental:
        parts.append(f'<span><i style="background:{MUTATION_BG}"></i>mutation</span>')
    parts.append(
        "".join(f'<span><i style="background:{c}"></i>{s} liability</span>' for s, c in SEVERITY_COLORS.items())
    )
    if with_nonhuman:
        parts.append(f'<span><i style="background:rgba({NON_HUMAN_RGB},0.8)"></i>in non-human 9-mers</span>')
    return f'<div class="key">{"".join(parts)}</div>'


def _liability_by_index(chain: ChainReview) -> dict[int, list]:
    covered: dict[int, list] = {}
    n = len(chain.humanized)
    for hit in chain.liabilities:
        for i in range(max(1, hit.start), min(n, hit.end) + 1):
            covered.setdefault(i, []).append(hit)
    return covered


def _band_segments(regions: list[str | None]) -> list[str]:
    """Runs of one region inside a block as one coloured span each, named when the run is wide enough."""
    spans: list[str] = []
    start = 0
    for i in range(1, len(regions) + 1):
        if i < len(regions) and regions[i] == regions[start]:
            continue
        region, width = regions[start], i - start
        color = REGION_COLORS.get(region or "", "#FFFFFF")
        name = _e(region) if region and width * CELL_PX >= 6 * len(region) else ""
        spans.append(
            f'<span style="background:{color};width:{width * CELL_PX}px" '
            f'title="{_e(region or "outside the numbered domain")}">{name}</span>'
        )
        start = i
    return spans


def build_alignment_html(chain: ChainReview, non_human_cover: tuple[int, ...] | None = None, line: int = LINE) -> str:
    """Parental over humanized in lines of `line` columns (blocks of 10 that wrap on narrow screens),
    with the scheme ruler, the region band, mutations highlighted and liabilities underneath."""
    columns = chain.alignment.columns
    liabilities = _liability_by_index(chain)
    cover = non_human_cover if non_human_cover and len(non_human_cover) == len(chain.humanized) else None
    peak = max(cover) if cover else 0
    scheme = (chain.numbering.scheme or "index").upper()
    names = ['<div class="names">', f"<div>{_e(scheme)}</div>", "<div>Region</div>"]
    if chain.has_parental:
        names.append("<div>Parental</div>")
    names += ["<div>Humanized</div>", "<div>Liabilities</div>"]
    if cover:
        names.append('<div title="non-human 9-mers covering the residue">Non-human</div>')
    names.append("</div>")
    names_html = "".join(names)

    out = [STYLE, '<div class="hum-aln">', _key(chain, bool(cover))]
    for line_start in range(0, len(columns), line):
        out.append('<div class="line">')
        out.append(names_html)
        for block_start in range(line_start, min(line_start + line, len(columns)), BLOCK):
            block = range(block_start, min(block_start + BLOCK, len(columns)))
            ruler, band, par, hum, liab, nonhuman = [], [], [], [], [], []
            for i in block:
                column = columns[i]
                label = chain.labels[i]
                region = chain.regions[i]
                ruler.append(f"<span>{_e(label)}</span>" if i == block_start else "<span></span>")
                mutated = column.is_mutation
                where = f"{scheme} {label}" + (f" · {region}" if region else "")
                if chain.has_parental:
                    cls = "mut" if mutated else ("gap" if column.parental_aa == "-" else "")
                    par.append(
                        f'<span class="{cls}" title="{_e("parental " + column.parental_aa + " · " + where)}">{_e(column.parental_aa)}</span>'
                    )
                tip = f"humanized {column.humanized_aa}"
                if mutated:
                    tip += f" · mutation {column.parental_aa}→{column.humanized_aa}"
                tip += f" · {where}"
                cls = "mut" if mutated else ("gap" if column.humanized_aa == "-" else "")
                hum.append(f'<span class="{cls}" title="{_e(tip)}">{_e(column.humanized_aa)}</span>')
                hits = liabilities.get(column.humanized_index or -1, [])
                if hits:
                    worst = min(hits, key=lambda h: h.severity_rank)
                    color = SEVERITY_COLORS.get(worst.severity, UNKNOWN_SEVERITY_COLOR)
                    text = "; ".join(f"{h.type_label} {h.motif} ({h.severity}) at {h.position_label}" for h in hits)
                    liab.append(f'<span style="background:{color}" title="{_e(text)}"></span>')
                else:
                    liab.append("<span></span>")
                if cover:
                    n = cover[column.humanized_index - 1] if column.humanized_index else 0
                    alpha = 0 if not n else 0.25 + 0.75 * n / peak
                    nonhuman.append(
                        f'<span style="background:rgba({NON_HUMAN_RGB},{alpha:.2f})" title="{n} non-human 9-mer(s) cover this residue"></span>'
                    )
            band = _band_segments([chain.regions[i] for i in block])
            rows = [("ruler", ruler), ("band", band)]
            if chain.has_parental:
                rows.append(("par", par))
            rows += [("hum", hum), ("liab", liab)]
            if cover:
                rows.append(("nonhuman", nonhuman))
            out.append(
                '<div class="blk">'
                + "".join(f'<div class="r {c}">{"".join(cells)}</div>' for c, cells in rows)
                + "</div>"
            )
        out.append("</div>")
    out.append("</div>")
    return "".join(out)
