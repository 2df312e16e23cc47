"""Surveys, their frozen versions and questions, invitations, deliveries, responses, answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate
from hub.partners.models import Contact
from hub.partnerships.models import Partnership

MAX_TEXT_ANSWER = 4000


def translation_language(language: str) -> str:
    """Return the code a survey's and its questions' translations are keyed by (fr-ca -> fr)."""
    return (language or "").split("-")[0].lower()


class Survey(models.Model):
    """A survey an affiliate sends to partners; without an affiliate, the hub's standard one."""

    affiliate = models.ForeignKey(
        Affiliate, on_delete=models.CASCADE, null=True, blank=True, related_name="surveys"
    )
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True, max_length=2000)
    # {language code: {"title": "...", "intro": "..."}} beside the default language, keyed
    # like the questions' translations. Not part of a frozen version: answers do not hang on it.
    translations = models.JSONField(default=dict, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_standard(self) -> bool:
        return self.affiliate_id is None

    def title_in(self, language: str) -> str:
        """Return the title in a language, or in the default one when not translated."""
        return (self.translations.get(language) or {}).get("title") or self.title

    def intro_in(self, language: str) -> str:
        """Return the introduction in a language, or in the default one when not translated."""
        return (self.translations.get(language) or {}).get("intro") or self.intro


class SurveyVersion(models.Model):
    """The questions of a survey at one time; frozen once sent, so answers match them."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(default=1)
    frozen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["survey_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="survey_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} v{self.number}"


class Question(models.Model):
    """One question of a survey version, with its wording in several languages."""

    class Kind(models.TextChoices):
        RATING = "rating", _("Rating from 1 to 5")
        RECOMMEND = "recommend", _("Recommendation score from 0 to 10")
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        YES_NO = "yes_no", _("Yes or no")
        TEXT = "text", _("Free text")

    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # {language code: {"text": "...", "choices": ["...", ...]}} beside the default language.
    translations = models.JSONField(default=dict, blank=True)
    required = models.BooleanField(_("an answer is needed"), default=False)
    # Counts as the partner's satisfaction (the strategic score and the results' headline).
    satisfaction = models.BooleanField(_("measures satisfaction"), default=False)

    class Meta:
        ordering = ["version_id", "position", "id"]

    def __str__(self) -> str:
        return self.text

    def text_in(self, language: str) -> str:
        """Return the question in a language, or in the default one when not translated."""
        return (self.translations.get(language) or {}).get("text") or self.text

    def choices_in(self, language: str) -> list[str]:
        """Return the choices in a language when all are translated, else the default ones."""
        translated = (self.translations.get(language) or {}).get("choices") or []
        return translated if len(translated) == len(self.choices) else list(self.choices)


class Sending(models.Model):
    """A survey sent to contacts of a partnership: by hand or by a rule, with its deadline."""

    class Rule(models.TextChoices):
        MANUAL = "manual", _("By hand")
        ACTIVITY_ENDED = "activity_ended", _("After an activity ended")
        EVALUATION = "evaluation", _("At the evaluation stage")
        YEARLY = "yearly", _("Once a year while active")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="sendings")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="survey_sendings"
    )
    deadline = models.DateField(_("deadline"))
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind after (days)"), default=7, help_text=_("0 sends no reminder.")
    )
    rule = models.CharField(max_length=20, choices=Rule.choices, default=Rule.MANUAL)
    # One sending per rule and occasion ("activity:12", "yearly:2026"): a rule run twice
    # finds it made.
    rule_key = models.CharField(max_length=100, blank=True)
    # Who was left out and why, as the page says it ([{"name": ..., "reason": ...}]).
    left_out = models.JSONField(default=list, blank=True)
    # Set when the retention job removed the names it held (left out, never answered).
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "rule_key"],
                condition=~Q(rule_key=""),
                name="survey_sending_rule_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} → {self.partnership}"


class Invitation(models.Model):
    """One contact's personal invitation to answer (their signed link names its key)."""

    sending = models.ForeignKey(Sending, on_delete=models.CASCADE, related_name="invitations")
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254)
    language = models.CharField(max_length=20, blank=True)
    key = models.CharField(max_length=32, unique=True)
    # The partner's region and type when invited, for movement-wide figures that outlive
    # the contact's erasure and the answers' anonymisation.
    region = models.CharField(max_length=10, blank=True)
    partner_type = models.CharField(max_length=20, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sending", "contact"], name="survey_invitation_once_per_contact"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.sending}"


class Delivery(models.Model):
    """The ledger row of one e-mail to one invitee: claimed before it is handed to the mail
    backend, so a worker killed mid-send and run again sends nobody the same e-mail twice."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        CLAIMED = "claimed", _("Being sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent")
        FAILED = "failed", _("Failed")

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    reason = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["invitation", "kind"], name="survey_delivery_once"),
        ]
        indexes = [models.Index(fields=["state", "invitation"])]

    def __str__(self) -> str:
        return f"{self.kind} · {self.state}"


class Response(models.Model):
    """One invitee's answers (one per invitation), saved as they go, editable until the
    deadline."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    # The invitation's, kept here too so the newest change of an affiliate's answers (which
    # keys its cached results) is one index probe.
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Set when the retention job anonymised it: the free text is gone, the scores stay.
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["affiliate", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.invitation}"


class Answer(models.Model):
    """The answer to one question: a number (ratings, scores, yes = 1), choices or text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True, max_length=MAX_TEXT_ANSWER)

    class Meta:
        ordering = ["question__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.number if self.number is not None else self.text[:40]}"


class SurveyRule(models.Model):
    """Send a survey by itself on an occasion: after an activity ends, when a partnership
    reaches evaluation, or once a year while it is active."""

    class Trigger(models.TextChoices):
        ACTIVITY_ENDED = "activity_ended", _("After an activity ends")
        EVALUATION = "evaluation", _("When the partnership reaches evaluation")
        YEARLY = "yearly", _("Once a year while the partnership is active")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rules")
    trigger = models.CharField(_("when"), max_length=20, choices=Trigger.choices)
    answer_within_days = models.PositiveSmallIntegerField(_("days to answer"), default=21)
    reminder_after_days = models.PositiveSmallIntegerField(_("remind after (days)"), default=7)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.survey} · {self.get_trigger_display()}"
