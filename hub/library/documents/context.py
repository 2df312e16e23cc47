"""Gather a partnership's own data as plain values: the only things a template can reach."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from hub.core.models import User
from hub.partners.models import Contact, PartnerType
from hub.partnerships.models import (
    Activity,
    AgreementPoint,
    ChecklistPoint,
    Contribution,
    ContributionType,
    Goal,
    Partnership,
    PartnershipPartner,
)
from hub.partnerships.slots import partnership_figures


def _date(value: dt.date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


def _number(value: int | Decimal | None) -> str:
    if value is None:
        return ""
    return str(number_format(value, use_l10n=True, force_grouping=True))


def figure_values(figures: Sequence[Any]) -> list[dict[str, Any]]:
    """Return figures as plain values: key, label, value and its text, source and date."""
    return [
        {
            "key": str(getattr(f, "key", "")),
            "label": str(f.label),
            "value": int(f.value),
            "value_text": _number(int(f.value)),
            "source": str(f.source),
            "as_of": _date(f.as_of),
        }
        for f in figures
    ]


def _partners(partnership: Partnership) -> list[dict[str, Any]]:
    roles = PartnershipPartner.objects.filter(partnership=partnership).select_related(
        "organisation"
    )
    partners = []
    for role in roles:
        org = role.organisation
        partners.append(
            {
                "name": org.name,
                "type": str(PartnerType(org.partner_type).label),
                "role": role.get_role_display(),
                "country": str(org.country.name) if org.country else "",
                "city": org.city,
                "region": org.get_region_display() if org.region else "",
                "description": org.description,
                "wikidata": org.wikidata_qid,
            }
        )
    return partners


def _contacts(partnership: Partnership) -> list[dict[str, Any]]:
    contacts = (
        Contact.objects.filter(
            organisation__partnership_roles__partnership=partnership, archived_at__isnull=True
        )
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )
    return [
        {
            "name": c.name,
            "role": c.role,
            "organisation": c.organisation.name if c.organisation else "",
            "email": "" if c.do_not_contact else c.main_email,
        }
        for c in contacts
    ]


def _activities(partnership: Partnership) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    activities = Activity.objects.filter(partnership=partnership).order_by("starts_on", "id")
    rows, totals = (
        [],
        dict.fromkeys(
            (
                "participants",
                "articles_created",
                "articles_improved",
                "files_uploaded",
                "items_created",
                "people_trained",
            ),
            0,
        ),
    )
    for a in activities:
        row: dict[str, Any] = {
            "kind": a.get_kind_display(),
            "title": a.title,
            "starts_on": _date(a.starts_on),
            "ends_on": _date(a.ends_on),
            "place": a.place or (_("online") if a.online else ""),
            "notes": a.notes,
        }
        for key in totals:
            value = getattr(a, key) or 0
            row[key] = value
            totals[key] += value
        rows.append(row)
    totals_text = {key: _number(value) for key, value in totals.items()}
    return rows, {"count": len(rows), **totals, "text": totals_text}


def _contributions(partnership: Partnership) -> list[dict[str, Any]]:
    rows = Contribution.objects.filter(partnership=partnership).select_related("organisation")
    return [
        {
            "organisation": c.organisation.name if c.organisation else "",
            "kind": c.get_kind_display(),
            "in_kind_type": c.get_in_kind_type_display() if c.in_kind_type else "",
            "description": c.description,
            "amount": _number(c.amount),
            "currency": c.currency,
            "received_on": _date(c.received_on),
        }
        for c in rows.order_by("received_on", "id")
    ]


def _agreement(partnership: Partnership) -> list[dict[str, Any]]:
    """Return the six points of the agreement checklist, in order, recorded or not."""
    recorded = {p.point: p for p in AgreementPoint.objects.filter(partnership=partnership)}
    points = []
    for point in ChecklistPoint:
        row = recorded.get(point.value)
        status = row.status if row else AgreementPoint.Status.NOT_DISCUSSED
        points.append(
            {
                "key": point.value,
                "label": str(point.label),
                "status": str(AgreementPoint.Status(status).label),
                "agreed": status == AgreementPoint.Status.AGREED,
                "text": row.text if row else "",
            }
        )
    return points


def build(partnership: Partnership, *, author: User | None = None) -> dict[str, Any]:
    """Return everything a document template may use, as plain dicts, lists and strings.

    Call inside translation.override(language): labels and dates come out in that language.
    """
    partnership = (
        Partnership.objects.select_related("affiliate")
        .prefetch_related(Prefetch("main_goals"))
        .get(pk=partnership.pk)
    )
    affiliate = partnership.affiliate
    partners = _partners(partnership)
    activities, totals = _activities(partnership)
    figures = figure_values(partnership_figures([partnership]).get(partnership.pk, []))
    return {
        "partnership": {
            "title": partnership.title,
            "summary": partnership.summary,
            "goals": [str(Goal(g).label) for g in partnership.goals],
            "contribution_types": [
                str(ContributionType(c).label) for c in partnership.contribution_types
            ],
            "main_goals": [g.name for g in partnership.main_goals.all()],
            "stage": partnership.get_stage_display(),
            "structure": partnership.get_structure_display(),
            "scope": partnership.get_scope_display(),
            "start_date": _date(partnership.start_date),
            "end_date": _date(partnership.end_date),
            "expected_outcomes": partnership.expected_outcomes,
            "outcome_clarity": partnership.get_outcome_clarity_display(),
            "languages": partnership.languages,
            "exit_notes": partnership.exit_notes,
            "agreement_signed_on": _date(partnership.agreement_signed_on),
            "agreement_expires_on": _date(partnership.agreement_expires_on),
        },
        "affiliate": {
            "name": affiliate.name,
            "kind": affiliate.get_kind_display(),
            "website": affiliate.website,
            "region": affiliate.get_region_display() if affiliate.region else "",
        },
        "partners": partners,
        "main_partner": partners[0] if partners else {"name": "", "type": "", "country": ""},
        "contacts": _contacts(partnership),
        "activities": activities,
        "totals": totals,
        "contributions": _contributions(partnership),
        "agreement": _agreement(partnership),
        "figures": figures,
        "author": {"name": (author.get_full_name() or author.username) if author else ""},
        "today": _date(timezone.localdate()),
        "year": timezone.localdate().year,
    }


# What the form lists beside the template, so a writer knows which placeholders exist.
PLACEHOLDERS = (
    ("partnership.title", "partnership.summary", "partnership.goals", "partnership.stage"),
    ("partnership.start_date", "partnership.end_date", "partnership.expected_outcomes"),
    ("affiliate.name", "main_partner.name", "main_partner.type", "main_partner.country"),
    ("partners", "contacts", "activities", "totals.count", "totals.files_uploaded"),
    ("contributions", "agreement", "figures", "author.name", "today", "year"),
)
# Examples of the syntax, shown as they are typed.
EXAMPLES = (
    "{{ partnership.title }}",
    "{% for partner in partners %}{{ partner.name }}{% endfor %}",
    "{% if contacts %}…{% endif %}",
)
