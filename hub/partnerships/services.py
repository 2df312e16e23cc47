"""Every change to a partnership: creation, partners and roles, lifecycle, agreement."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.models import Affiliate, User
from hub.partners.models import Organisation
from hub.partnerships.models import (
    AgreementPoint,
    ChecklistPoint,
    Partnership,
    PartnershipPartner,
)


@transaction.atomic
def create_partnership(
    *,
    actor: User | None,
    affiliate: Affiliate,
    title: str,
    partners: Iterable[tuple[Organisation, str]] = (),
    **fields: Any,
) -> Partnership:
    """Create a partnership with its partners (organisation, role) and an open checklist."""
    partnership = Partnership(affiliate=affiliate, title=title, created_by=actor, **fields)
    partnership.full_clean()
    partnership.save()
    for organisation, role in partners:
        if organisation.affiliate_id != affiliate.pk:
            raise ValidationError(_("A partner must be in your own directory."))
        PartnershipPartner.objects.create(
            partnership=partnership, organisation=organisation, role=role
        )
    AgreementPoint.objects.bulk_create(
        AgreementPoint(partnership=partnership, point=point) for point in ChecklistPoint.values
    )
    audit.record(
        actor=actor,
        affiliate=affiliate,
        action="partnership.created",
        target=partnership,
        changes=audit.diff({}, audit.snapshot(partnership, ["title", "stage"])),
    )
    return partnership
