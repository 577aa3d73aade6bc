"""Which sections a job has, in the service's own words, and which module draws each."""

from __future__ import annotations

from collections.abc import Callable

from app.view import JobView
from components import complex as complex_section
from components import humanization, immunogenicity, overview, review, stability, structure

SECTION_KEY = "section"  # the query parameter that holds the open section


def available_sections(job: JobView) -> dict[str, Callable[[JobView], None]]:
    """Overview always; every other section only when its data is present. Each draws from the view."""
    sections: dict[str, Callable[[JobView], None]] = {"Overview": overview.render}
    if job.humanization:
        sections["Humanization"] = humanization.render
    if job.structure_result is not None:
        sections["Structure"] = structure.render
    if job.stability is not None:
        sections["Stability"] = stability.render
    if job.immunogenicity is not None:
        sections["Immunogenicity"] = immunogenicity.render
    if job.complex_result is not None:
        sections["Complex"] = complex_section.render
    if job.source == "service" and job.completed:
        sections["Review"] = review.render  # decisions and comments on its candidates
    return sections
