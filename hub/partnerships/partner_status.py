"""The partners' status follows their partnerships: active while one of them runs."""

from __future__ import annotations

from collections.abc import Iterable

from hub.core.models import User
from hub.partners import services as partner_services
from hub.partners.models import Organisation
from hub.partnerships.models import Partnership, PartnershipPartner, Stage

# The stages in which a partnership runs: its partners are active partners.
RUNNING_STAGES = frozenset({Stage.ACTIVE, Stage.REPORTING, Stage.EVALUATION, Stage.CONTINUED})


def runs(partnership: Partnership) -> bool:
    """Return whether the partnership runs: a live one in a running stage."""
    return partnership.archived_at is None and partnership.stage in RUNNING_STAGES


def starts_or_stops(from_stage: str, to_stage: str) -> bool:
    """Return whether a move between the stages starts or stops the partnership running."""
    return (from_stage in RUNNING_STAGES) != (to_stage in RUNNING_STAGES)


def follow(*, actor: User | None, organisation_ids: Iterable[int], resume: bool = False) -> None:
    """Set the organisations' status from whether one of their partnerships runs; call it
    inside the service whose change started or stopped a partnership running for them."""
    ids = set(organisation_ids)
    if not ids:
        return
    running = set(
        PartnershipPartner.objects.filter(
            organisation_id__in=ids,
            partnership__archived_at=None,
            partnership__stage__in=RUNNING_STAGES,
        ).values_list("organisation_id", flat=True)
    )
    partner_services.follow_partnerships(
        actor=actor, organisation_ids=ids, running=running, resume=resume
    )


def partner_ids(partnership: Partnership) -> list[int]:
    """Return the ids of the partnership's partners."""
    return list(partnership.partners.values_list("organisation_id", flat=True))


def resume(*, actor: User | None, organisation: Organisation) -> None:
    """Hand an organisation's status set by hand back to its partnerships, at once."""
    follow(actor=actor, organisation_ids=[organisation.pk], resume=True)
