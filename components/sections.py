"""Which sections a job has, in the service's own words, and which module draws each."""

from __future__ import annotations

from collections.abc import Callable

from app.client import FetchedJob
from components import complex as complex_section
from components import humanization, immunogenicity, overview, review, stability, structure

SECTION_KEY = "section"  # the query parameter that holds the open section


def available_sections(fetched: FetchedJob) -> dict[str, Callable[[FetchedJob], None]]:
    """Overview always; every other section only when its data is present."""
    response = fetched.response
    sections: dict[str, Callable[[FetchedJob], None]] = {"Overview": overview.render}
    if response.results:
        sections["Humanization"] = humanization.render
    if response.structure_result is not None:
        sections["Structure"] = structure.render
    if response.stability_result is not None:
        sections["Stability"] = stability.render
    if response.immunogenicity_result is not None:
        sections["Immunogenicity"] = immunogenicity.render
    if response.complex_result is not None:
        sections["Complex"] = complex_section.render
    if response.job.status == "completed":
        sections["Review"] = review.render  # decisions and comments on its candidates
    return sections
