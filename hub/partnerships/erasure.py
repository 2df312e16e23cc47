"""Scrub an erased person from partnerships, tasks and activities (see hub.core.erasure)."""

from __future__ import annotations

from hub.core.erasure import Person, scrub_rows
from hub.partnerships.models import (
    Activity,
    AgreementPoint,
    Contribution,
    Partnership,
    StageChange,
    Task,
)


def scrub_partnerships(person: Person) -> int:
    """Replace the person's mentions in task titles and notes and in partnerships' texts."""
    affiliate = person.affiliate
    return (
        scrub_rows(person, Task.objects.filter(affiliate=affiliate), ["title", "notes"])
        + scrub_rows(
            person,
            Partnership.objects.filter(affiliate=affiliate),
            ["title", "summary", "expected_outcomes", "exit_notes"],
        )
        + scrub_rows(
            person, StageChange.objects.filter(partnership__affiliate=affiliate), ["reason"]
        )
        + scrub_rows(
            person, AgreementPoint.objects.filter(partnership__affiliate=affiliate), ["text"]
        )
        + scrub_rows(
            person, Activity.objects.filter(partnership__affiliate=affiliate), ["title", "notes"]
        )
        + scrub_rows(
            person,
            Contribution.objects.filter(partnership__affiliate=affiliate),
            ["description"],
        )
    )
