"""What people have to do: tasks, their reminders and calendar feeds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate
from hub.partners.models import Organisation
from hub.partnerships.models.partnerships import Partnership


class Task(models.Model):
    """A to-do with an assignee and a due date, about a partnership or a partner."""

    class Recurrence(models.TextChoices):
        NONE = "", _("Does not repeat")
        WEEKLY = "weekly", _("Every week")
        MONTHLY = "monthly", _("Every month")
        QUARTERLY = "quarterly", _("Every three months")
        YEARLY = "yearly", _("Every year")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hub_tasks",
        verbose_name=_("assignee"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("partnership"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("partner"),
    )
    recurrence = models.CharField(
        _("repeats"), max_length=10, choices=Recurrence.choices, blank=True, default=""
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["affiliate", "done_at", "due_on"]),
            models.Index(fields=["assignee", "done_at", "due_on"]),
            models.Index(fields=["partnership", "done_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class Reminder(models.Model):
    """A dated nudge for one person, generated each day; the key keeps generation idempotent."""

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", _("Follow-up")
        TASK_DUE = "task_due", _("Task due")
        AGREEMENT_EXPIRY = "agreement_expiry", _("Agreement expires")
        IMPACT_REPORT = "impact_report", _("Impact report due")
        BUDGET_CYCLE = "budget_cycle", _("Partner's budget cycle")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=120)
    due_on = models.DateField(_("due"))
    remind_on = models.DateField(_("remind on"))
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    interaction = models.ForeignKey(
        "partners.Interaction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["user", "dismissed_at", "remind_on"])]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="reminder_once_per_user_and_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class CalendarFeed(models.Model):
    """A person's private iCal feed: the URL carries a secret whose hash is kept here."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"
