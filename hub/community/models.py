"""People's profiles in the community directory, and offers of help on requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate
from hub.core.regions import Region
from hub.helpdesk.skills import Skill, split_languages, unpack_skills


class Availability(models.TextChoices):
    AVAILABLE = "available", _("Available to mentor")
    LIMITED = "limited", _("A little time")
    UNAVAILABLE = "unavailable", _("Not available now")


class Profile(models.Model):
    """What a person can help with: skills, languages, region and time to mentor."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_profile"
    )
    affiliate = models.ForeignKey(
        Affiliate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="community_profiles",
        verbose_name=_("affiliate"),
    )
    region = models.CharField(_("region"), max_length=10, choices=Region.choices, blank=True)
    languages = models.CharField(
        _("languages"),
        max_length=200,
        blank=True,
        help_text=_("Separate languages with commas, e.g. Spanish, Quechua, English."),
    )
    skills = models.CharField(_("skills"), max_length=300, blank=True)
    availability = models.CharField(
        _("mentor availability"),
        max_length=12,
        choices=Availability.choices,
        default=Availability.UNAVAILABLE,
    )
    about = models.TextField(_("about you"), max_length=2000, blank=True)
    listed = models.BooleanField(
        _("show me in the community directory"),
        default=True,
        help_text=_("Only people logged in to the Hub see the directory."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__username"]
        indexes = [models.Index(fields=["listed", "availability"])]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def skill_list(self) -> list[str]:
        return unpack_skills(self.skills)

    @property
    def skill_labels(self) -> list[str]:
        return [str(Skill(s).label) for s in self.skill_list]

    @property
    def language_list(self) -> list[str]:
        return split_languages(self.languages)


class HelpOffer(models.Model):
    """A person's offer to help with an approved request."""

    request = models.ForeignKey(
        "helpdesk.HelpRequest", on_delete=models.CASCADE, related_name="offers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_offers"
    )
    message = models.TextField(_("how you can help"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "user"], name="one_offer_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.request_id}"


class HelpInvitation(models.Model):
    """Hub staff or the committee ask a person found by "Find a helper" to help with a request."""

    class Answer(models.TextChoices):
        PENDING = "pending", _("Not answered yet")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    request = models.ForeignKey(
        "helpdesk.HelpRequest", on_delete=models.CASCADE, related_name="invitations"
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, default=Answer.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "helper"], name="one_invitation_per_helper")
        ]

    def __str__(self) -> str:
        return f"{self.helper_id} asked for {self.request_id}"
