"""Changes to the community directory: people's profiles and their offers of help."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from hub.community.models import HelpOffer, Profile
from hub.core import audit
from hub.core.models import Affiliate, Membership, User
from hub.helpdesk.mail import header_safe
from hub.helpdesk.models import GroupMember, HelpRequest, Notification
from hub.helpdesk.notify import notify
from hub.helpdesk.skills import pack_skills

PROFILE_FIELDS = ("affiliate", "region", "languages", "skills", "availability", "about", "listed")


@transaction.atomic
def save_profile(
    *,
    actor: User,
    affiliate: Affiliate | None,
    region: str = "",
    languages: str = "",
    skills: Iterable[str] = (),
    availability: str = "unavailable",
    about: str = "",
    listed: bool = True,
) -> Profile:
    """Create or change the person's own profile in the community directory."""
    if (
        affiliate is not None
        and not Membership.objects.filter(user=actor, affiliate=affiliate).exists()
    ):
        raise ValidationError({"affiliate": _("Choose an affiliate you belong to.")})
    profile = Profile.objects.select_for_update().filter(user=actor).first()
    created = profile is None
    if profile is None:
        profile = Profile(user=actor)
    before = {} if created else audit.snapshot(profile, PROFILE_FIELDS)
    profile.affiliate = affiliate
    profile.region = region or (affiliate.region if affiliate else "")
    profile.languages = languages
    profile.skills = pack_skills(skills)
    profile.availability = availability
    profile.about = about
    profile.listed = listed
    profile.full_clean(exclude=["user"])
    profile.save()
    changes = audit.diff(before, audit.snapshot(profile, PROFILE_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            affiliate=None,
            action="profile.created" if created else "profile.updated",
            target=profile,
            changes=changes,
        )
    return profile


@transaction.atomic
def offer_help(*, actor: User, request: HelpRequest, message: str) -> HelpOffer:
    """Offer to help with an approved request; hub staff and the group leads hear of it."""
    if not request.is_open_for_help:
        raise ValidationError(_("This request is not looking for helpers."))
    if HelpOffer.objects.filter(request=request, user=actor).exists():
        raise ValidationError(_("You already offered help with this request. Thank you!"))
    offer = HelpOffer(request=request, user=actor, message=message)
    offer.full_clean(exclude=["request", "user"])
    offer.save()
    audit.record(actor=actor, affiliate=None, action="help_request.help_offered", target=request)
    leads = User.objects.filter(
        group_memberships__group__request=request, group_memberships__role=GroupMember.Role.LEAD
    )
    staff = User.objects.filter(is_hub_staff=True)
    notify(
        users=[*staff, *leads],
        kind=Notification.Kind.OFFER,
        text=_("%(name)s offered help with %(reference)s")
        % {
            "name": header_safe(actor.get_full_name() or actor.username, 80),
            "reference": request.reference,
        },
        url=reverse("helpdesk:request_detail", kwargs={"pk": request.pk}),
    )
    return offer
