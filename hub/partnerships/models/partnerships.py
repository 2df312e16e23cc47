"""Partnerships: partners and roles, lifecycle, agreement, activities, contributions, tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate
from hub.partners.models import Organisation


class Goal(models.TextChoices):
    FUNDING = "funding", _("Funding / resources")
    CONTENT = "content", _("Content for Wikimedia projects")
    ADVOCACY = "advocacy", _("Advocacy / outreach")


class ContributionType(models.TextChoices):
    CONTENT = "content", _("Content contribution")
    CONTRIBUTORS = "contributors", _("Bringing in contributors and audiences")
    KNOWLEDGE = "knowledge", _("Transferring or co-creating knowledge (training)")
    CAPACITY = "capacity", _("Building organisational capacity")
    SUPPORT = "support", _("Financial or in-kind support")
    AWARENESS = "awareness", _("Raising awareness")


# The boolean column that stores each goal and contribution type: one column each keeps the
# dashboard's counts to a single aggregate query on both databases.
GOAL_FIELDS = {
    Goal.FUNDING: "goal_funding",
    Goal.CONTENT: "goal_content",
    Goal.ADVOCACY: "goal_advocacy",
}
CONTRIBUTION_FIELDS = {
    ContributionType.CONTENT: "gives_content",
    ContributionType.CONTRIBUTORS: "gives_contributors",
    ContributionType.KNOWLEDGE: "gives_knowledge",
    ContributionType.CAPACITY: "gives_capacity",
    ContributionType.SUPPORT: "gives_support",
    ContributionType.AWARENESS: "gives_awareness",
}


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    FIRST_CONTACT = "first_contact", _("First contact")
    CONCEPT_NOTE = "concept_note", _("Concept note")
    NEGOTIATION = "negotiation", _("Negotiation")
    AGREEMENT = "agreement", _("Agreement")
    ACTIVE = "active", _("Active")
    REPORTING = "reporting", _("Reporting")
    EVALUATION = "evaluation", _("Evaluation")
    CONTINUED = "continued", _("Continued")
    ENDED = "ended", _("Ended")


class AffiliateGoal(models.Model):
    """One of an affiliate's own main goals, which its partnerships can serve."""

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="main_goals")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["affiliate", "name"], name="affiliate_goal_unique_per_affiliate"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Partnership(models.Model):
    """An affiliate's collaboration with one or more partner organisations."""

    class Structure(models.TextChoices):
        SIMPLE = "simple", _("Simple")
        COMPLEX = "complex", _("Complex")

    class Scope(models.TextChoices):
        EXTERNAL = "external", _("External")
        INTERNAL = "internal", _("Internal (within Wikimedia)")

    class Initiative(models.TextChoices):
        PARTNER = "partner", _("The partner reached out")
        AFFILIATE = "affiliate", _("We reached out")

    class OutcomeClarity(models.TextChoices):
        CLEAR = "clear", _("Clear")
        INDIRECT = "indirect", _("Indirect")
        UNCLEAR = "unclear", _("Unclear")

    class Visibility(models.TextChoices):
        PRIVATE = "private", _("Private to the affiliate")
        PUBLISHED = "published", _("Published to the movement")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="partnerships")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    goal_funding = models.BooleanField(_("funding / resources"), default=False)
    goal_content = models.BooleanField(_("content for Wikimedia projects"), default=False)
    goal_advocacy = models.BooleanField(_("advocacy / outreach"), default=False)
    gives_content = models.BooleanField(_("content contribution"), default=False)
    gives_contributors = models.BooleanField(
        _("bringing in contributors and audiences"), default=False
    )
    gives_knowledge = models.BooleanField(_("transferring or co-creating knowledge"), default=False)
    gives_capacity = models.BooleanField(_("building organisational capacity"), default=False)
    gives_support = models.BooleanField(_("financial or in-kind support"), default=False)
    gives_awareness = models.BooleanField(_("raising awareness"), default=False)
    structure = models.CharField(
        _("structure"), max_length=10, choices=Structure.choices, default=Structure.SIMPLE
    )
    scope = models.CharField(
        _("internal or external"), max_length=10, choices=Scope.choices, default=Scope.EXTERNAL
    )
    initiative = models.CharField(
        _("initiative"), max_length=10, choices=Initiative.choices, default=Initiative.AFFILIATE
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.IDEA)
    stage_changed_at = models.DateTimeField(_("stage changed"), null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    responsible = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="partnerships",
        verbose_name=_("responsible people"),
    )
    outcome_clarity = models.CharField(
        _("outcome clarity"),
        max_length=10,
        choices=OutcomeClarity.choices,
        default=OutcomeClarity.UNCLEAR,
    )
    expected_outcomes = models.TextField(_("expected outcomes"), blank=True)
    main_goals = models.ManyToManyField(
        AffiliateGoal,
        blank=True,
        related_name="partnerships",
        verbose_name=_("main goals it serves"),
    )
    languages = models.CharField(
        _("languages"),
        max_length=200,
        blank=True,
        help_text=_("Language codes separated by commas, e.g. sv, en."),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    exit_notes = models.TextField(
        _("exit notes"),
        blank=True,
        help_text=_("What happens after the intense phase of the partnership."),
    )
    agreement_signed_on = models.DateField(_("agreement signed"), null=True, blank=True)
    agreement_expires_on = models.DateField(_("agreement expires or renews"), null=True, blank=True)
    impact_report_every_months = models.PositiveSmallIntegerField(
        _("impact report every (months)"),
        null=True,
        blank=True,
        help_text=_("How often the partner gets an impact report; empty for never."),
    )
    impact_reported_on = models.DateField(_("last impact report"), null=True, blank=True)
    # Kept by the scoring service (on change and once a day): lists and the dashboard count
    # strategic partnerships without recomputing every rule.
    strategic_score = models.PositiveSmallIntegerField(default=0, editable=False)
    is_strategic = models.BooleanField(default=False, editable=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # The list's default order, newest change first, over live partnerships only:
            # PostgreSQL cannot read an order off an index after an IS NULL column, so a
            # plain (affiliate, archived_at, -updated_at) index still sorted every row.
            models.Index(
                fields=["affiliate", "-updated_at", "-id"],
                condition=Q(archived_at__isnull=True),
                name="partnership_live_updated_idx",
            ),
            models.Index(fields=["affiliate", "stage"]),
            models.Index(fields=["visibility", "stage"]),
            models.Index(fields=["agreement_expires_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="partnership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def goals(self) -> list[str]:
        return [goal for goal, field in GOAL_FIELDS.items() if getattr(self, field)]

    @property
    def contribution_types(self) -> list[str]:
        return [kind for kind, field in CONTRIBUTION_FIELDS.items() if getattr(self, field)]


class PartnershipPartner(models.Model):
    """A partner organisation's role in a partnership."""

    class Role(models.TextChoices):
        MAIN = "main", _("Main partner")
        CO_PARTNER = "co_partner", _("Co-partner")
        FISCAL_SPONSOR = "fiscal_sponsor", _("Fiscal sponsor")
        FUNDER = "funder", _("Funder")
        VENUE_HOST = "venue_host", _("Venue host")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="partnership_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MAIN)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"], name="partnership_partner_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class StageChange(models.Model):
    """One move of a partnership from one lifecycle stage to another."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    overridden = models.BooleanField(default=False)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class ChecklistPoint(models.TextChoices):
    ROLES = "roles", _("Responsibilities and roles of both partners")
    AUTHORITY = "authority", _("Who has authority to decide")
    COMMUNICATION = "communication", _("Communication process")
    MONEY = "money", _("Who pays")
    LICENCES = "licences", _("Intellectual property and licences")
    EXIT = "exit", _("Exit strategy and what happens after the intense phase")


class AgreementPoint(models.Model):
    """Where a partnership stands on one point of the agreement checklist."""

    class Status(models.TextChoices):
        NOT_DISCUSSED = "not_discussed", _("Not discussed")
        AGREED = "agreed", _("Agreed")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="agreement_points"
    )
    point = models.CharField(_("point"), max_length=20, choices=ChecklistPoint.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_DISCUSSED
    )
    text = models.TextField(_("what was agreed"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "point"], name="agreement_point_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_point_display()}: {self.get_status_display()}"


class Document(models.Model):
    """A file kept with a partnership (an agreement, a concept note), for its affiliate only."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement")
        CONCEPT_NOTE = "concept_note", _("Concept note")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.AGREEMENT)
    file = models.FileField(upload_to="partnership-documents/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


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


class StrategicDefinition(models.Model):
    """The hub's one definition of a strategic partnership, editable by hub staff."""

    sustained_months = models.PositiveSmallIntegerField(
        _("sustained for at least (months)"), default=12
    )
    min_activities = models.PositiveSmallIntegerField(_("joint activities, at least"), default=3)
    interaction_within_months = models.PositiveSmallIntegerField(
        _("an interaction within the last (months)"), default=6
    )
    require_main_goal = models.BooleanField(
        _("serves one of the affiliate's main goals"), default=True
    )
    require_capacity = models.BooleanField(
        _("includes capacity building or knowledge transfer"), default=True
    )
    glam_requires_content = models.BooleanField(
        _("for GLAM partners, a content contribution"), default=True
    )
    strategic_from_score = models.PositiveSmallIntegerField(
        _("rules to meet to count as strategic"),
        default=0,
        help_text=_("0 means every rule that applies."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("strategic partnership definition")

    def __str__(self) -> str:
        return str(_("Strategic partnership definition"))
