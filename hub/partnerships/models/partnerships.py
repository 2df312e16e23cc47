"""Partnerships: goals, partners and roles, lifecycle, agreement, documents."""

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
    # A document the Hub generated from the partnership's data (hub.library.documents): what it
    # was generated as (letter_of_intent...), its version among those, and its language. Empty
    # for an uploaded file.
    generated_kind = models.CharField(_("generated as"), max_length=30, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=12, blank=True)
    # The affiliate chose to show it to the partner on the partner portal (hub.surveys.portal).
    shared_with_partner = models.BooleanField(_("shared with the partner"), default=False)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name
