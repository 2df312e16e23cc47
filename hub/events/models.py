"""An event's settings, its participants, the contributions read from the wikis and the figures.

An ``Event`` gives an activity of an event kind (edit-a-thon, campaign, training, residency,
media or data upload) what is needed to count its outputs from the participants' own edits:
the wikis it tracks, its time window with a grace period, and an optional narrowing (a tracking
category, a hashtag in edit summaries, a list of articles). ``Participant`` rows are the people,
by Wikimedia username. ``Edit`` rows are what the counting read from the wikis, one per revision
(or upload), so a re-count fetches only what is new and a withdrawn participant's past edits
stay in the totals without their name. ``EventFigure`` rows are the figures shown, each with its
source, method and time of counting. ``CountRun``/``CountStep`` are the counting's ledger: a
killed worker resumes from the last finished step without repeating its requests.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate
from hub.partnerships.models import Activity

# The activity kinds whose outputs can be counted from the participants' edits.
EVENT_KINDS = (
    Activity.Kind.EDITATHON,
    Activity.Kind.CAMPAIGN,
    Activity.Kind.TRAINING,
    Activity.Kind.RESIDENCY,
    Activity.Kind.MEDIA_UPLOAD,
    Activity.Kind.DATA_UPLOAD,
)


class Event(models.Model):
    """What to count for an activity: wikis, time window, grace period and narrowing."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="event")
    # The activity's partnership's affiliate, kept here so every query can be scoped at once.
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    # Wiki base addresses, e.g. ["https://sv.wikipedia.org", "https://commons.wikimedia.org"].
    wikis = models.JSONField(_("wikis"), default=list)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    grace_days = models.PositiveSmallIntegerField(_("grace period (days)"), default=0)
    category = models.CharField(_("tracking category"), max_length=255, blank=True)
    hashtag = models.CharField(_("hashtag"), max_length=100, blank=True)  # stored without '#'
    articles = models.JSONField(_("articles"), default=list, blank=True)  # titles, one per wiki
    # The public sign-up link: open or closed, and the words participants agree to.
    signup_open = models.BooleanField(_("sign-up open"), default=False)
    consent_text = models.TextField(_("what participants agree to"), blank=True)
    last_counted_at = models.DateTimeField(_("last counted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return str(self.activity)


class Participant(models.Model):
    """A person taking part, by Wikimedia username, with what they agreed to be shown."""

    class Role(models.TextChoices):
        PARTICIPANT = "participant", _("Participant")
        ORGANISER = "organiser", _("Organiser")
        FACILITATOR = "facilitator", _("Facilitator")

    class Source(models.TextChoices):
        ADDED = "added", _("Added by the organiser")
        IMPORTED = "imported", _("Imported from a list")
        SIGNUP = "signup", _("Signed up")
        DASHBOARD = "dashboard", _("Imported from the Programs & Events Dashboard")

    class Check(models.TextChoices):
        UNCHECKED = "unchecked", _("Not checked yet")
        OK = "ok", _("Exists")
        MISSING = "missing", _("No such user")
        BLOCKED = "blocked", _("Blocked")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    # The canonical form: first letter upper-case, underscores as spaces, no "User:" prefix.
    username = models.CharField(_("Wikimedia username"), max_length=255)
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.PARTICIPANT
    )
    # Organisers and facilitators are left out of the counts unless the organiser says otherwise.
    counted = models.BooleanField(_("counted"), default=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ADDED)
    # Consent (sign-up): when they agreed, and whether their username may be shown publicly.
    consented_at = models.DateTimeField(_("agreed"), null=True, blank=True)
    show_name = models.BooleanField(_("username may be shown publicly"), default=False)
    # From the wikis: whether the account exists or is blocked, and when it was registered.
    wiki_check = models.CharField(max_length=20, choices=Check.choices, default=Check.UNCHECKED)
    # The base addresses of the event's wikis the account is blocked on (blocks are per wiki),
    # in the event's order; empty unless ``wiki_check`` is blocked.
    blocked_on = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(_("account registered"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "username"], name="participant_once_per_event"
            ),
        ]

    def __str__(self) -> str:
        return self.username


class Edit(models.Model):
    """One revision or upload by a participant, read from a wiki within the event's window.

    ``participant`` is emptied when the person withdraws or is erased: the edit then counts
    in the totals only, with no name attached.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="edits")
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="edits"
    )
    wiki = models.CharField(max_length=100)  # the wiki's base address
    revid = models.BigIntegerField()  # for uploads: the file's revision id
    page_id = models.BigIntegerField()
    namespace = models.IntegerField()
    title = models.CharField(max_length=255)
    timestamp = models.DateTimeField()
    size_diff = models.IntegerField(default=0)
    created_page = models.BooleanField(default=False)
    upload = models.BooleanField(default=False)
    detail = models.JSONField(default=dict, blank=True)  # e.g. references added, tags

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "wiki", "revid"], name="edit_once_per_event"),
        ]
        indexes = [models.Index(fields=["event", "wiki", "timestamp"])]

    def __str__(self) -> str:
        return f"{self.wiki} r{self.revid}"


class EventFigure(models.Model):
    """A figure of an event's outputs, with where it came from, how and when it was counted."""

    class Metric(models.TextChoices):
        PARTICIPANTS = "participants", _("Participants")
        EDITS = "edits", _("Edits")
        ARTICLES_CREATED = "articles_created", _("Articles created")
        ARTICLES_IMPROVED = "articles_improved", _("Articles improved")
        BYTES_ADDED = "bytes_added", _("Bytes added")
        REFERENCES_ADDED = "references_added", _("References added")
        FILES_UPLOADED = "files_uploaded", _("Files uploaded")
        FILES_IN_USE = "files_in_use", _("Files in use on other wikis")
        ITEMS_CREATED = "items_created", _("Wikidata items created")
        ITEMS_EDITED = "items_edited", _("Wikidata items edited")
        VIEWS = "views", _("Views of the articles and files")
        NEW_EDITORS = "new_editors", _("New editors")
        RETAINED_7 = "retained_7", _("New editors still editing after 7 days")
        RETAINED_30 = "retained_30", _("New editors still editing after 30 days")

    class Source(models.TextChoices):
        COUNTED = "counted", _("Counted from the wikis")
        DASHBOARD = "dashboard", _("Imported from the Programs & Events Dashboard")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="figures")
    metric = models.CharField(max_length=30, choices=Metric.choices)
    # The wiki the figure is for; "" for the total over every wiki the event tracks.
    wiki = models.CharField(max_length=100, blank=True)
    value = models.BigIntegerField()
    source = models.CharField(max_length=20, choices=Source.choices)
    method = models.CharField(max_length=300, blank=True)  # how, in words a partner reads
    counted_at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "metric", "wiki", "source"], name="event_figure_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.value}"


class CountRun(models.Model):
    """One counting of an event's outputs, run by the task queue, resumable step by step."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done_steps = models.PositiveIntegerField(default=0)
    total_steps = models.PositiveIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # How many times a worker took the run up (for the back-off when a wiki is not answering).
    attempts = models.PositiveSmallIntegerField(default=0)
    # What the count could not do, in words an organiser reads (usernames that do not exist).
    warnings = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.status}"


class CountStep(models.Model):
    """A finished step of a count (one batch of users on one wiki, say): the ledger to resume."""

    run = models.ForeignKey(CountRun, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    requests = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="count_step_once"),
        ]

    def __str__(self) -> str:
        return self.key
