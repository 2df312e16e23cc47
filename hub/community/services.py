"""Changes to the community directory: people's profiles and their offers of help."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.community.models import HelpInvitation, HelpOffer, Profile
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
        text=lambda: (
            _("%(name)s offered help with %(reference)s")
            % {
                "name": header_safe(actor.get_full_name() or actor.username, 80),
                "reference": request.reference,
            }
        ),
        url=reverse("helpdesk:request_detail", kwargs={"pk": request.pk}),
    )
    return offer


def _person(user: User) -> str:
    return header_safe(user.get_full_name() or user.username, 80)


@transaction.atomic
def ask_to_help(*, actor: User, request: HelpRequest, helper: User) -> HelpInvitation:
    """Ask a person found by "Find a helper" to help with a request; they are notified."""
    if request.status in {HelpRequest.Status.DONE, HelpRequest.Status.DECLINED}:
        raise ValidationError(_("This request is closed: nobody can be asked to help with it."))
    if not helper.is_active or helper.pk == request.user_id:
        raise ValidationError(_("This person cannot be asked to help with this request."))
    earlier = HelpInvitation.objects.filter(request=request, helper=helper).first()
    if earlier is not None:
        raise ValidationError(
            _("%(name)s was already asked to help with this request (%(answer)s).")
            % {"name": _person(helper), "answer": earlier.get_answer_display()}
        )
    invitation = HelpInvitation.objects.create(request=request, helper=helper, invited_by=actor)
    audit.record(
        actor=actor,
        affiliate=None,
        action="help_request.helper_asked",
        target=request,
        changes={"helper": [None, helper.username]},
    )
    notify(
        users=[helper],
        kind=Notification.Kind.INVITATION,
        text=lambda: (
            _("%(name)s asks you to help with %(reference)s")
            % {"name": _person(actor), "reference": request.reference}
        ),
        url=reverse("community:invitation", kwargs={"pk": invitation.pk}),
    )
    return invitation


@transaction.atomic
def answer_invitation(*, actor: User, invitation: HelpInvitation, accept: bool) -> HelpInvitation:
    """The helper accepts or declines; whoever asked (or hub staff) hears the answer."""
    invitation = HelpInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.helper_id != actor.pk:
        raise ValidationError(_("Only the person who was asked can answer."))
    answer = HelpInvitation.Answer.ACCEPTED if accept else HelpInvitation.Answer.DECLINED
    if invitation.answer == answer:
        return invitation
    before = invitation.answer
    invitation.answer = answer
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["answer", "answered_at"])
    request = invitation.request
    audit.record(
        actor=actor,
        affiliate=None,
        action="help_request.helper_answered",
        target=request,
        changes={"answer": [before, answer]},
    )

    def text() -> str:
        message = (
            _("%(name)s accepted to help with %(reference)s")
            if accept
            else _("%(name)s declined to help with %(reference)s")
        )
        return message % {"name": _person(actor), "reference": request.reference}

    asker = invitation.invited_by
    notify(
        users=[asker] if asker is not None else User.objects.filter(is_hub_staff=True),
        kind=Notification.Kind.INVITATION_ANSWER,
        text=text,
        url=reverse("community:find_helper", kwargs={"pk": request.pk}),
    )
    return invitation
