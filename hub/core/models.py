"""Affiliates, people's accounts, memberships with roles, and audit events."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from hub.core.regions import Region


class User(AbstractUser):
    """A person who logs in; belongs to affiliates through memberships."""

    is_hub_staff = models.BooleanField(
        _("hub staff"),
        default=False,
        help_text=_("Hub staff see the hub-wide pages across affiliates."),
    )
    # A language code (settings.HUB_KNOWN_LANGUAGES); e-mails and PDFs sent to the person use
    # it when the Hub offers it. Empty: the Hub's default language.
    language = models.CharField(_("preferred language"), max_length=20, blank=True)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Affiliate(models.Model):
    """A Wikimedia affiliate: the tenant that owns partners and partnerships."""

    class Kind(models.TextChoices):
        CHAPTER = "chapter", _("Chapter")
        USER_GROUP = "user_group", _("User group")
        THEMATIC = "thematic", _("Thematic organisation")
        HUB = "hub", _("Hub")
        OTHER = "other", _("Other")

    class LegalStatus(models.TextChoices):
        REGISTERED = "registered", _("Registered legal entity")
        UNREGISTERED = "unregistered", _("No legal entity")
        SPONSORED = "fiscally_sponsored", _("Works through a fiscal sponsor")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.USER_GROUP)
    country = CountryField(_("country"), blank=True)
    region = models.CharField(_("region"), max_length=10, choices=Region.choices, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    wikidata_qid = models.CharField(_("Wikidata item"), max_length=20, blank=True)
    legal_status = models.CharField(
        _("legal status"),
        max_length=20,
        choices=LegalStatus.choices,
        default=LegalStatus.UNREGISTERED,
    )
    fiscal_sponsor = models.CharField(_("fiscal sponsor"), max_length=200, blank=True)
    reporting_currency = models.CharField(
        _("reporting currency"),
        max_length=3,
        default="EUR",
        help_text=_("The ISO 4217 code totals are reported in, e.g. EUR, SEK, INR."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("affiliate")
        verbose_name_plural = _("affiliates")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in one affiliate."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        MEMBER = "member", _("Member")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "affiliate"], name="one_membership_per_affiliate"
            )
        ]
        ordering = ["affiliate__name"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.affiliate} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in {self.Role.MANAGER, self.Role.MEMBER}

    @property
    def can_manage(self) -> bool:
        return self.role == self.Role.MANAGER


ACTION_LABELS = {
    "hub.login_policy_changed": _("changed how people log in"),
    "user.language": _("changed their language"),
    "organisation.created": _("created the organisation"),
    "organisation.updated": _("changed the organisation"),
    "organisation.archived": _("archived the organisation"),
    "organisation.restored": _("restored the organisation"),
    "organisation.merged_in": _("merged a duplicate into this organisation"),
    "organisation.merged_away": _("merged this organisation into another"),
    "organisation.imported": _("imported the organisation"),
    "organisation.status_followed": _("set the status from its partnerships"),
    "contact.created": _("added the contact"),
    "contact.updated": _("changed the contact"),
    "contact.archived": _("archived the contact"),
    "contact.erased": _("erased a person's data"),
    "person.erased": _("erased a person's data everywhere"),
    "interaction.logged": _("logged an interaction"),
    "interaction.updated": _("changed an interaction"),
    # Changes hub staff make in the admin (hub.core.admin).
    "affiliate.admin_created": _("created the affiliate in the admin"),
    "affiliate.admin_changed": _("changed the affiliate in the admin"),
    "affiliate.admin_deleted": _("deleted the affiliate in the admin"),
    "user.admin_created": _("created the account in the admin"),
    "user.admin_changed": _("changed the account in the admin"),
    "user.admin_deleted": _("deleted the account in the admin"),
    "membership.admin_created": _("gave a membership in the admin"),
    "membership.admin_changed": _("changed a membership in the admin"),
    "membership.admin_deleted": _("removed a membership in the admin"),
}


class AuditEvent(models.Model):
    """One recorded change: who did what to which record, and which fields changed."""

    affiliate = models.ForeignKey(
        Affiliate, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.BigIntegerField(null=True, blank=True)
    target_repr = models.CharField(max_length=300, blank=True)
    changes: models.JSONField[Any] = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-created_at"]),
            # audit.latest_stamp: an affiliate's newest event in one index probe.
            models.Index(fields=["affiliate", "-id"], name="core_audit_affiliate_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


class AuditClock(models.Model):
    """How many transactions have committed audit events: per affiliate, for the hub-wide
    events (owner 0), and for every event of the hub (owner -1).

    The caches keyed on audit stamps (hub.core.audit) hold it beside the newest event's id. On
    PostgreSQL an event's id is taken when it is written, so two transactions of one affiliate
    can commit in the other order than their ids: the newest id alone could then name a state
    that still lacks the earlier one. This count moves after each commit (hub.core.audit.record
    bumps it on commit), so a key read after any commit differs from every key read before it.
    """

    owner = models.BigIntegerField(primary_key=True)
    serial = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.owner}: {self.serial}"


class WorkerHeartbeat(models.Model):
    """The last sign of life of a background worker, so the reaper can tell the dead ones."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=200, blank=True)
    pid = models.IntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id


class ScheduledJob(models.Model):
    """One periodic job's turn and last outcome, shared by every worker on every machine.

    A worker runs a job only after moving ``next_run_at`` past now with a conditional UPDATE
    (hub.core.schedule.claim), so whatever the number of workers a job runs once per period.
    """

    class Outcome(models.TextChoices):
        NEVER = "", _("Never run")
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    name = models.CharField(max_length=80, primary_key=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.NEVER, blank=True
    )
    last_duration = models.FloatField(null=True, blank=True, help_text="seconds")
    last_error = models.TextField(blank=True)
    last_worker = models.CharField(max_length=64, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LoginPolicy(models.Model):
    """How people log in, set by hub staff: one row (pk 1)."""

    require_wikimedia = models.BooleanField(
        _("require logging in with Wikimedia"),
        default=False,
        help_text=_(
            "People then log in with their Wikimedia account; a password only lets them link "
            "one. Superusers can still log in with a password."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(_("Log-in policy"))
