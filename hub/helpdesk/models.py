"""Helpdesk requests, their conversation and review, the expert committee, working groups."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from hub.core.models import Affiliate
from hub.core.regions import Region
from hub.helpdesk.skills import Skill, unpack_skills

# Caps on what a visitor may type; the form says so, the database holds to it.
LINE_MAX = 200
TEXT_MAX = 5000


class ContentKind(models.TextChoices):
    IMAGES = "images", _("Images")
    DOCUMENTS = "documents", _("Documents")
    AUDIO_VIDEO = "audio_video", _("Audio / video")
    DATA = "data", _("Data / metadata")
    TEXT = "text", _("Text")


class HelpRequest(models.Model):
    """A request for help with a content partnership, sent through the public form."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        INFO_NEEDED = "info_needed", _("Information needed")
        READY = "ready", _("Ready for review")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        PARKED = "parked", _("Parked")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    name = models.CharField(_("your name"), max_length=LINE_MAX)
    email = models.EmailField(_("e-mail address"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="help_requests",
    )
    affiliate = models.ForeignKey(
        Affiliate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="help_requests",
        verbose_name=_("affiliate"),
    )
    country = CountryField(_("country"), blank=True)
    region = models.CharField(_("region"), max_length=10, choices=Region.choices, blank=True)
    partner = models.CharField(_("partner"), max_length=LINE_MAX)
    content_kinds = models.CharField(_("kind of content"), max_length=100, blank=True)
    approximate_size = models.CharField(_("approximate size"), max_length=LINE_MAX, blank=True)
    description = models.TextField(_("description"), max_length=TEXT_MAX)
    justification = models.TextField(_("justification"), max_length=TEXT_MAX, blank=True)
    timeline = models.CharField(_("desired timeline"), max_length=LINE_MAX, blank=True)
    languages = models.CharField(_("languages"), max_length=LINE_MAX, blank=True)
    # The language the requester wrote the form in: their e-mails go out in it (they have no
    # account to keep a preference). Empty for requests from before it was kept: the default.
    language = models.CharField(_("language of the form"), max_length=10, blank=True)
    consent_at = models.DateTimeField(_("consent given"))

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    public_summary = models.CharField(
        _("public summary"),
        max_length=LINE_MAX,
        blank=True,
        help_text=_("What helpers in the community see: no names, no e-mail addresses."),
    )
    skills_needed = models.CharField(_("skills needed"), max_length=300, blank=True)

    # A random key in the signed status link: replacing it cancels every link sent so far.
    status_key = models.CharField(max_length=32)
    # Double submission: the form's one-time token, and a hash of what was typed.
    submission_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    content_hash = models.CharField(max_length=64, db_index=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_answered_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(priority__isnull=True) | models.Q(priority__gte=1),
                name="help_request_priority_positive",
            )
        ]

    def __str__(self) -> str:
        # The reference only: audit events keep this text, and they outlive an erased request.
        return self.reference

    @property
    def reference(self) -> str:
        return f"HD-{self.pk}"

    @property
    def content_kind_list(self) -> list[str]:
        found = set(self.content_kinds.split(","))
        return [k for k in ContentKind.values if k in found]

    @property
    def content_kind_labels(self) -> list[str]:
        return [str(ContentKind(k).label) for k in self.content_kind_list]

    @property
    def skill_list(self) -> list[str]:
        return unpack_skills(self.skills_needed)

    @property
    def skill_labels(self) -> list[str]:
        return [str(Skill(s).label) for s in self.skill_list]

    @property
    def is_open_for_help(self) -> bool:
        return self.status in {self.Status.APPROVED, self.Status.IN_PROGRESS}


class Message(models.Model):
    """One entry of a request's conversation: a question, a reply, an update or a note."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question to the requester")
        REPLY = "reply", _("Answer from the requester")
        UPDATE = "update", _("Status update")
        NOTE = "note", _("Internal note")

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    working_group = models.ForeignKey(
        "WorkingGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="updates"
    )
    body = models.TextField(_("message"), max_length=TEXT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} on {self.request_id}"

    @property
    def is_internal(self) -> bool:
        return self.kind == self.Kind.NOTE


class ReviewCheck(models.Model):
    """One group of the review checklist for a request: a rating and a comment."""

    class Group(models.TextChoices):
        TECHNICAL = "technical", _("Technical")
        LEGAL = "legal", _("Legal and ethical")
        RISK = "risk", _("Risk")
        SUSTAINABILITY = "sustainability", _("Sustainability")

    class Rating(models.TextChoices):
        GOOD = "good", _("No concerns")
        CONCERNS = "concerns", _("Some concerns")
        BLOCKING = "blocking", _("Blocking problem")

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="checks")
    group = models.CharField(_("checklist group"), max_length=20, choices=Group.choices)
    rating = models.CharField(_("rating"), max_length=10, choices=Rating.choices)
    comment = models.TextField(_("comment"), max_length=TEXT_MAX, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["request", "group"]
        constraints = [
            models.UniqueConstraint(fields=["request", "group"], name="one_check_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.rating}"


class CommitteeMember(models.Model):
    """A person on the expert committee that reviews requests and sets priorities."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="committee_membership"
    )
    active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined on"))

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return str(self.user)


class QuarterCapacity(models.Model):
    """How many requests the hub can take on in one quarter."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    capacity = models.PositiveSmallIntegerField(_("capacity (requests)"))
    note = models.CharField(_("note"), max_length=LINE_MAX, blank=True)

    class Meta:
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="one_capacity_per_quarter"),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="quarter_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}: {self.capacity}"


class Meeting(models.Model):
    """A meeting of the expert committee, with an agenda of requests ready for review."""

    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=LINE_MAX)
    brief_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"

    @property
    def quarter(self) -> tuple[int, int]:
        return self.held_on.year, (self.held_on.month - 1) // 3 + 1


class AgendaItem(models.Model):
    """A request on a meeting's agenda, and the committee's decision on it."""

    class Outcome(models.TextChoices):
        PENDING = "", _("Not decided yet")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        PARKED = "parked", _("Parked")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="agenda_items")
    outcome = models.CharField(
        _("decision"), max_length=10, choices=Outcome.choices, blank=True, default=""
    )
    priority_rank = models.PositiveSmallIntegerField(_("priority rank"), null=True, blank=True)
    reasons = models.TextField(_("reasons"), max_length=TEXT_MAX, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "request"], name="request_once_per_meeting"),
            models.UniqueConstraint(
                fields=["meeting", "priority_rank"],
                condition=models.Q(priority_rank__isnull=False),
                name="rank_once_per_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.request_id}"


class WorkingGroup(models.Model):
    """A group of people from any affiliate who help with one request or a theme."""

    name = models.CharField(_("name"), max_length=LINE_MAX)
    purpose = models.TextField(_("purpose"), max_length=TEXT_MAX, blank=True)
    request = models.ForeignKey(
        HelpRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="working_groups",
        verbose_name=_("request"),
    )
    theme = models.CharField(_("theme"), max_length=LINE_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """A person's place in a working group."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        MEMBER = "member", _("Member")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="one_place_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"


class GroupTask(models.Model):
    """A piece of a working group's work, with an owner and a date."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=LINE_MAX)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_tasks",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_at", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """Something a person should know about, shown in the Hub (and e-mailed if they wish)."""

    class Kind(models.TextChoices):
        NEW_REQUEST = "new_request", _("A new help request arrived")
        REQUESTER_REPLY = "requester_reply", _("A requester answered")
        DECISION = "decision", _("The committee decided on a request")
        AGENDA = "agenda", _("A request is on a committee agenda")
        GROUP = "group", _("You joined a working group")
        TASK = "task", _("A task was given to you")
        OFFER = "offer", _("Somebody offered help")
        INVITATION = "invitation", _("You were asked to help")
        INVITATION_ANSWER = "invitation_answer", _("A helper answered your request for help")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.text


class NotificationPreference(models.Model):
    """How one person wants to hear about one kind of notification (no row: both ways)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Notification.Kind.choices)
    in_app = models.BooleanField(default=True)
    by_email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"
