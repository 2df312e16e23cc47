"""Find and scrub a person in partnerships, tasks and activities (see hub.core.erasure)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from hub.core.erasure import Person, rows_mentioning, scrub_rows
from hub.core.personal_data import Found
from hub.partnerships.models import (
    Activity,
    AgreementPoint,
    Contribution,
    Partnership,
    StageChange,
    Task,
)


def _texts(person: Person) -> list[tuple[str, QuerySet[Any], list[str]]]:
    """Return (what it is, the affiliate's rows, their free-text columns) for each model."""
    affiliate = person.affiliate
    in_partnership = {"partnership__affiliate": affiliate}
    return [
        (_("Task"), Task.objects.filter(affiliate=affiliate), ["title", "notes"]),
        (
            _("Partnership"),
            Partnership.objects.filter(affiliate=affiliate),
            ["title", "summary", "expected_outcomes", "exit_notes"],
        ),
        (_("Stage change"), StageChange.objects.filter(**in_partnership), ["reason"]),
        (_("Agreement point"), AgreementPoint.objects.filter(**in_partnership), ["text"]),
        (_("Activity"), Activity.objects.filter(**in_partnership), ["title", "notes"]),
        (_("Contribution"), Contribution.objects.filter(**in_partnership), ["description"]),
    ]


def scrub_partnerships(person: Person) -> int:
    """Replace the person's mentions in task titles and notes and in partnerships' texts."""
    return sum(scrub_rows(person, rows, fields) for _kind, rows, fields in _texts(person))


def _partnership_url(row: Any) -> str:
    partnership: Partnership | None = (
        row if isinstance(row, Partnership) else getattr(row, "partnership", None)
    )
    if partnership is None:
        return ""
    return reverse(
        "partnerships:partnership_detail",
        kwargs={"slug": partnership.affiliate.slug, "pk": partnership.pk},
    )


def find_in_partnerships(person: Person) -> Iterator[Found]:
    """Yield every task and partnership text that names the person."""
    for kind, rows, fields in _texts(person):
        related = ["affiliate"] if rows.model is Partnership else ["partnership__affiliate"]
        for row in rows_mentioning(person, rows.select_related(*related), fields):
            yield Found(
                kind=kind,
                label=str(row),
                url=_partnership_url(row),
                data={f: getattr(row, f) for f in fields},
            )
