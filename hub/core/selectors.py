"""Reads across affiliates for hub staff, and small shared reads."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Count, Q

from hub.core.models import Affiliate


def affiliate_overview() -> list[dict[str, Any]]:
    """Return each affiliate with its member and (live) organisation counts."""
    rows = Affiliate.objects.annotate(
        member_count=Count("memberships", distinct=True),
        organisation_count=Count(
            "organisations", filter=Q(organisations__archived_at__isnull=True), distinct=True
        ),
    ).order_by("name")
    return [
        {"affiliate": a, "members": a.member_count, "organisations": a.organisation_count}
        for a in rows
    ]


def database_ping() -> None:
    """Run the cheapest query there is, raising if the database does not answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
