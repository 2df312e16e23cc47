"""The partner portal: its signed link, the partner's corrections, the periodic update e-mail."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate
from hub.partners.models import Contact, Organisation


class PortalLink(models.Model):
    """A partner organisation's way into its portal: signed, expiring, revocable, one in force."""

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="portal_links"
    )
    # A random key in the signed token: a new link never opens with an old token.
    key = models.CharField(max_length=32)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One link in force per organisation: a new one withdraws the old one first.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(revoked_at=None),
                name="portal_link_one_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.expires_at:%Y-%m-%d}"


class ChangeRequest(models.Model):
    """A partner's correction of its organisation's or a contact's details, awaiting approval."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="change_requests"
    )
    # The contact corrected; None for the organisation's own details.
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="change_requests"
    )
    # {field: [value when asked, value proposed]}, only the partner's allowed fields.
    changes = models.JSONField(default=dict)
    note = models.TextField(_("note from the partner"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["affiliate", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.contact or self.organisation} ({self.status})"

    def rows(self) -> list[tuple[str, object, object]]:
        """Return (field's name in words, value now, value proposed) for each change."""
        model: type[models.Model] = Contact if self.contact_id else Organisation
        rows = []
        for name, (before, after) in self.changes.items():
            try:
                label = str(capfirst(model._meta.get_field(name).verbose_name))  # type: ignore[union-attr]
            except FieldDoesNotExist:
                label = name
            rows.append((label, before, after))
        return rows


class PartnerUpdates(models.Model):
    """How often a partner organisation gets the update e-mail, and what the last one said."""

    class Frequency(models.TextChoices):
        NEVER = "never", _("Never")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="partner_updates"
    )
    frequency = models.CharField(
        _("update e-mail"), max_length=10, choices=Frequency.choices, default=Frequency.NEVER
    )
    # The period last sent ("2026-12" monthly, "2026-Q4" quarterly): claimed before sending.
    last_period = models.CharField(max_length=10, blank=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    # The figures the last update showed, {partnership id: {label: value}}, to say what is new.
    last_figures = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["frequency", "last_period"])]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.frequency}"


class UpdateDelivery(models.Model):
    """One contact's update of one period: written before the mail is queued, once only."""

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "contact", "period"], name="partner_update_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.contact_id} {self.period}"
