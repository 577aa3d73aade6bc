"""Developability score cards and the predicted Tm placed among clinical antibodies.

The four scores are 0-1 (normalised at the edge). Their bands are this dashboard's plain-words
reading of the number, not a calibrated cut-off of any tool: the caption says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models import StabilityResultRow

# Our rule (stated in the UI): on the "goodness" scale (the score, or 1 - score when higher is worse).
GOOD_FROM = 0.7
MODERATE_FROM = 0.4
SCORE_BAND_RULE = (
    "Bands are this dashboard's reading of the 0–1 score, not a tool's calibrated cut-off: "
    f"favourable ≥ {GOOD_FROM:g}, moderate {MODERATE_FROM:g}–{GOOD_FROM:g}, poor < {MODERATE_FROM:g} "
    "(for aggregation, where higher is worse, on 1 − score)."
)


@dataclass(frozen=True)
class ScoreCard:
    key: str
    title: str
    value: float | None
    higher_is_better: bool
    meaning: str

    @property
    def direction(self) -> str:
        return "higher is better" if self.higher_is_better else "higher is worse"

    @property
    def goodness(self) -> float | None:
        if self.value is None:
            return None
        return self.value if self.higher_is_better else 1.0 - self.value

    @property
    def band(self) -> str:
        good = self.goodness
        if good is None:
            return "not given"
        if good >= GOOD_FROM:
            return "favourable"
        if good >= MODERATE_FROM:
            return "moderate"
        return "poor"


def score_cards(result: StabilityResultRow) -> list[ScoreCard]:
    return [
        ScoreCard("solubility", "Solubility", result.solubility_score, True, "predicted solubility"),
        ScoreCard("aggregation", "Aggregation", result.aggregation_score, False, "predicted aggregation propensity"),
        ScoreCard(
            "thermostability", "Thermostability", result.thermostability_score, True, "predicted thermal stability"
        ),
        ScoreCard("developability", "Developability", result.developability_score, True, "overall developability"),
    ]


@dataclass(frozen=True)
class TmReference:
    """Fab Tm by DSF of clinical-stage antibodies, summarised as quantiles (°C)."""

    source: str
    n: int
    minimum: float
    p05: float
    p25: float
    median: float
    p75: float
    p95: float
    maximum: float


# Computed once at development time from Jain et al. 2017 (PNAS 114:944, supplementary data SD03),
# column "Fab Tm by DSF (°C)" of the 137 clinical-stage antibodies (pandas quantiles, linear
# interpolation). The app does not read that table at run time.
JAIN_2017_FAB_TM = TmReference(
    source="Jain et al. 2017 PNAS, Fab Tm by DSF, 137 clinical-stage antibodies",
    n=137,
    minimum=59.5,
    p05=62.9,
    p25=67.0,
    median=71.0,
    p75=75.5,
    p95=80.5,
    maximum=91.5,
)


def tm_context(tm: float | None, ref: TmReference = JAIN_2017_FAB_TM) -> str:
    """Where a predicted Tm falls among the clinical antibodies, in words."""
    if tm is None:
        return "not given"
    if tm < ref.minimum:
        return f"below every clinical antibody in the reference (min {ref.minimum:g} °C)"
    if tm < ref.p05:
        return "in the lowest 5 % of clinical antibodies"
    if tm < ref.p25:
        return "lower quarter of clinical antibodies"
    if tm <= ref.p75:
        return "typical (middle half of clinical antibodies)"
    if tm <= ref.p95:
        return "upper quarter of clinical antibodies"
    if tm <= ref.maximum:
        return "in the top 5 % of clinical antibodies"
    return f"above every clinical antibody in the reference (max {ref.maximum:g} °C)"
