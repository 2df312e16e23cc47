"""Build test data through the services, as users would."""

from __future__ import annotations

import datetime as dt  # noqa: F401  (used by tests through factories.dt)
import itertools
from typing import Any

from hub.core.models import Affiliate, Membership, User
from hub.partners import services
from hub.partners.models import Contact, Interaction, Organisation

_seq = itertools.count(1)


def affiliate(**fields: Any) -> Affiliate:
    n = next(_seq)
    fields.setdefault("name", f"Affiliate {n}")
    fields.setdefault("slug", f"affiliate-{n}")
    return Affiliate.objects.create(**fields)


def member(
    aff: Affiliate, username: str | None = None, role: str = "member", **fields: Any
) -> User:
    username = username or f"user{next(_seq)}"
    user = User.objects.create_user(
        username=username,
        password="correct horse battery",
        email=f"{username}@example.org",
        **fields,
    )
    Membership.objects.create(user=user, affiliate=aff, role=role)
    return user


def organisation(aff: Affiliate, actor: User | None = None, **fields: Any) -> Organisation:
    fields.setdefault("name", f"Organisation {next(_seq)}")
    return services.create_organisation(actor=actor, affiliate=aff, **fields)


def contact(org: Organisation, actor: User | None = None, **fields: Any) -> Contact:
    n = next(_seq)
    fields.setdefault("name", f"Person {n}")
    fields.setdefault("emails", f"person{n}@example.org")
    return services.create_contact(actor=actor, affiliate=org.affiliate, organisation=org, **fields)


def interaction(org: Organisation, actor: User | None = None, **fields: Any) -> Interaction:
    fields.setdefault("date", dt.date(2026, 11, 1))
    fields.setdefault("kind", "meeting")
    fields.setdefault("summary", "Talked about an edit-a-thon.")
    return services.log_interaction(actor=actor, organisation=org, **fields)


def partnership(
    aff: Affiliate,
    actor: User | None = None,
    partners: list[tuple[Organisation, str]] | None = None,
    **fields: Any,
) -> Any:
    from hub.partnerships import services as partnership_services

    fields.setdefault("title", f"Partnership {next(_seq)}")
    if partners is None:
        partners = [(organisation(aff, actor=actor), "main")]
    return partnership_services.create_partnership(
        actor=actor, affiliate=aff, partners=partners, **fields
    )


# The smallest file every PDF reader opens: a header, one empty page, a cross-reference table.
SMALL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def document(partnership: Any, actor: User | None = None, **fields: Any) -> Any:
    import io

    from hub.partnerships import services as partnership_services

    content = fields.pop("content", SMALL_PDF)
    fields.setdefault("name", "agreement.pdf")
    return partnership_services.add_document(
        actor=actor,
        partnership=partnership,
        stream=io.BytesIO(content),
        size=len(content),
        **fields,
    )


def main_goal(aff: Affiliate, name: str | None = None) -> Any:
    from hub.partnerships.models import AffiliateGoal

    return AffiliateGoal.objects.create(affiliate=aff, name=name or f"Goal {next(_seq)}")


def articles_link(
    aff: Affiliate, titles: list[str], actor: User | None = None, **partnership_fields: Any
) -> Any:
    """Return a list of articles on sv.wikipedia.org, checked against the (recorded) wiki."""
    from hub.impact import services as impact_services

    return impact_services.add_content_link(
        actor=actor,
        partnership=partnership(aff, actor=actor, **partnership_fields),
        kind="articles",
        wiki_url="https://sv.wikipedia.org",
        items_text="\n".join(titles),
    )
