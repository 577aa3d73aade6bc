"""Which prediction method stands behind each epitope kind, in the service's own words.

Percentile-rank thresholds (NetMHCpan / NetMHCIIpan) only mean something for epitopes that an HLA
binding model ranked. A rule-based predictor gives no rank ("allele" holds the rule's name, e.g.
`rule:nongermline-9mer (no HLA model)`), so for it the UI names the rule and quotes no threshold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.immunogenicity.epitopes import BCELL, MHC1, MHC2, Epitope

RULE_PREFIX = "rule:"
# Words in a model_versions key that tie it to one epitope kind (lower case).
KIND_WORDS = {
    MHC1: ("netmhcpan", "mhc-i ", "mhc1", "mhc-i:", "class i ", "mhcflurry"),
    MHC2: ("netmhciipan", "mhc-ii", "mhc2", "class ii"),
    BCELL: ("bepipred", "b-cell", "bcell", "discotope", "hydrophilic"),
}


def rule_name(text: str | None) -> str | None:
    """`rule:nongermline-9mer (no HLA model)` → `rule:nongermline-9mer`; None for a real allele."""
    if not text or not text.strip().lower().startswith(RULE_PREFIX):
        return None
    return re.split(r"\s|\(", text.strip(), maxsplit=1)[0]


@dataclass(frozen=True)
class KindMethod:
    """What predicted one epitope kind: ranked by an HLA model, or listed by a rule without ranks."""

    kind: str
    listed: int  # epitopes of this kind
    ranked: int  # of those, with a percentile rank
    rules: tuple[str, ...]  # rule names seen in the epitopes' allele field
    tools: tuple[tuple[str, str], ...]  # (model_versions key, version) that belong to this kind

    @property
    def has_ranks(self) -> bool:
        return self.ranked > 0

    @property
    def all_ranked(self) -> bool:
        return self.listed > 0 and self.ranked == self.listed

    def describe(self) -> str:
        """One line for the UI: the method named as the service names it."""
        # A key that is just the kind's name ("MHC-I": "not computed …") reads as its value alone.
        tools = [version if key == self.kind else f"{key} {version}".strip() for key, version in self.tools]
        if self.kind == BCELL:
            return "; ".join(tools) or "method not given by the service"
        if not self.listed:
            return "; ".join(tools) or "no epitopes"
        if not self.has_ranks:
            names = list(self.rules) or ["a predictor that gives no percentile rank"]
            named = ", ".join(dict.fromkeys(names + [t for t in tools if not any(t.startswith(n) for n in names)]))
            return f"rule-based, no HLA binding model: {named}"
        ranked = f"percentile ranks from {'; '.join(tools) or 'an HLA binding model (tool not named)'}"
        if self.all_ranked:
            return ranked
        return f"{ranked}; {self.listed - self.ranked} of {self.listed} without a rank ({', '.join(self.rules) or 'unnamed'})"


def _tools_of(kind: str, versions: Mapping[str, object], rules: Sequence[str]) -> list[tuple[str, str]]:
    out = []
    for key, version in versions.items():
        text = f"{key} ".lower()
        if any(text.startswith(rule.lower()) for rule in rules) or any(w in text for w in KIND_WORDS[kind]):
            # "MHC-II" also contains "mhc-i": a key naming class II is not a class I tool.
            if kind == MHC1 and any(w in text for w in KIND_WORDS[MHC2]):
                continue
            out.append((str(key), "" if version is None else str(version)))
    return out


def methods_of(epitopes: Sequence[Epitope], versions: Mapping[str, object] | None) -> dict[str, KindMethod]:
    """Per kind: how many epitopes, how many ranked, which rules and which reported tools."""
    versions = versions if isinstance(versions, Mapping) else {}
    out = {}
    for kind in (MHC1, MHC2, BCELL):
        rows = [e for e in epitopes if e.kind == kind]
        rules = tuple(dict.fromkeys(r for r in (rule_name(e.allele) for e in rows) if r))
        ranked = sum(1 for e in rows if e.rank is not None)
        out[kind] = KindMethod(kind, len(rows), ranked, rules, tuple(_tools_of(kind, versions, rules)))
    return out
