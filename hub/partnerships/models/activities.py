"""What partnerships do and receive: activities, contributions, exchange rates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate
from hub.partners.models import Organisation
from hub.partnerships.models.partnerships import Partnership


class Activity(models.Model):
    """Something done together: an edit-a-thon, a training, an upload, a residency."""

    class Kind(models.TextChoices):
        EDITATHON = "editathon", _("Edit-a-thon")
        CAMPAIGN = "campaign", _("Campaign / contest")
        TRAINING = "training", _("Training")
        RESIDENCY = "residency", _("Wikimedian-in-Residence")
        MEDIA_UPLOAD = "media_upload", _("Media upload")
        DATA_UPLOAD = "data_upload", _("Data upload")
        EVENT = "event", _("Conference / event")
        RECORDING = "recording", _("Recording")
        MEETING = "meeting", _("Meeting")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="activities", verbose_name=_("partners involved")
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    articles_created = models.PositiveIntegerField(_("articles created"), default=0)
    articles_improved = models.PositiveIntegerField(_("articles improved"), default=0)
    files_uploaded = models.PositiveIntegerField(_("files uploaded"), default=0)
    items_created = models.PositiveIntegerField(_("Wikidata items created"), default=0)
    items_edited = models.PositiveIntegerField(_("Wikidata items edited"), default=0)
    people_trained = models.PositiveIntegerField(_("people trained"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["partnership", "-starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="activity_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Contribution(models.Model):
    """Money or something in kind a partner gave to a partnership."""

    class Kind(models.TextChoices):
        FINANCIAL = "financial", _("Financial")
        IN_KIND = "in_kind", _("In kind")

    class InKind(models.TextChoices):
        VENUE = "venue", _("Venue")
        CATERING = "catering", _("Catering")
        TRANSPORT = "transport", _("Transport")
        CONNECTIVITY = "connectivity", _("Connectivity")
        SOFTWARE = "software", _("Software accounts")
        PRIZES = "prizes", _("Prizes")
        STAFF_TIME = "staff_time", _("Staff time")
        EQUIPMENT = "equipment", _("Equipment")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="contributions"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("from partner"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    in_kind_type = models.CharField(
        _("in-kind type"), max_length=20, choices=InKind.choices, blank=True
    )
    received_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    amount = models.DecimalField(_("estimated value"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["partnership", "-received_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="contribution_not_negative"),
            models.CheckConstraint(
                condition=Q(kind="financial", in_kind_type="") | Q(kind="in_kind"),
                name="contribution_in_kind_type_only_in_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class ExchangeRate(models.Model):
    """How much one unit of a currency is worth in the affiliate's reporting currency, per year."""

    affiliate = models.ForeignKey(
        Affiliate, on_delete=models.CASCADE, related_name="exchange_rates"
    )
    currency = models.CharField(_("currency"), max_length=3)
    year = models.PositiveSmallIntegerField(_("year"))
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=8)

    class Meta:
        ordering = ["-year", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["affiliate", "currency", "year"], name="exchange_rate_once_a_year"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.year}: {self.rate}"
