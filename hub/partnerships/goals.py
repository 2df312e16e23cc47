"""Every change to an affiliate's main goals, the goals its partnerships say they serve."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.models import Affiliate, Membership, User
from hub.partnerships.models import AffiliateGoal


def _require_manager(actor: User | None, affiliate: Affiliate) -> None:
    if (
        actor is None
        or not Membership.objects.filter(
            user=actor, affiliate=affiliate, role=Membership.Role.MANAGER
        ).exists()
    ):
        raise PermissionDenied(_("Only the affiliate's managers can change its main goals."))


def _clean_goal_name(affiliate: Affiliate, name: str, exclude: int | None = None) -> str:
    name = " ".join(name.split())[:120]
    if not name:
        raise ValidationError({"name": _("Give the goal a name.")})
    clash = AffiliateGoal.objects.filter(affiliate=affiliate, name__iexact=name)
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": _("Your affiliate already has a goal with this name.")})
    return name


@transaction.atomic
def add_main_goal(*, actor: User | None, affiliate: Affiliate, name: str) -> AffiliateGoal:
    """Add one of the affiliate's main goals, at the end of its list (managers only)."""
    _require_manager(actor, affiliate)
    name = _clean_goal_name(affiliate, name)
    last = AffiliateGoal.objects.filter(affiliate=affiliate).order_by("-position").first()
    goal = AffiliateGoal.objects.create(
        affiliate=affiliate, name=name, position=(last.position + 1) if last else 0
    )
    audit.record(
        actor=actor,
        affiliate=affiliate,
        action="main_goal.added",
        target=goal,
        changes={"name": ["", name]},
    )
    return goal


@transaction.atomic
def rename_main_goal(*, actor: User | None, goal: AffiliateGoal, name: str) -> AffiliateGoal:
    """Rename one of the affiliate's main goals (managers only)."""
    _require_manager(actor, goal.affiliate)
    name = _clean_goal_name(goal.affiliate, name, exclude=goal.pk)
    if name != goal.name:
        old = goal.name
        goal.name = name
        goal.save(update_fields=["name"])
        audit.record(
            actor=actor,
            affiliate=goal.affiliate,
            action="main_goal.renamed",
            target=goal,
            changes={"name": [old, name]},
        )
    return goal


@transaction.atomic
def remove_main_goal(*, actor: User | None, goal: AffiliateGoal) -> None:
    """Remove one of the affiliate's main goals; partnerships no longer list it (managers only)."""
    _require_manager(actor, goal.affiliate)
    audit.record(
        actor=actor,
        affiliate=goal.affiliate,
        action="main_goal.removed",
        target=goal,
        changes={"name": [goal.name, ""]},
    )
    goal.delete()
