"""Impact: content links of a partnership, their metric time series, refresh runs, share links."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate
from hub.partners.models import Organisation
from hub.partnerships.models import Partnership


class ContentLink(models.Model):
    """A piece of Wikimedia content a partnership brought or improved, whose impact we count."""

    class Kind(models.TextChoices):
        COMMONS_CATEGORY = "commons_category", _("Commons category")
        COMMONS_FILES = "commons_files", _("List of Commons files")
        WIKIDATA_COLLECTION = "wikidata_collection", _("Wikidata collection (P195)")
        WIKIDATA_ITEMS = "wikidata_items", _("List of Wikidata items")
        ARTICLES = "articles", _("Wikipedia articles")

    class Status(models.TextChoices):
        VERIFIED = "verified", _("Verified")
        UNVERIFIED = "unverified", _("Unverified")
        FAILED = "failed", _("Failed")

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="content_links"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    wiki_url = models.URLField(_("wiki address"), max_length=300)
    # The category name (no prefix), or the collection's QID; empty for lists.
    target = models.CharField(_("target"), max_length=300, blank=True)
    # Files, items or article titles of a list, normalised.
    items = models.JSONField(default=list, blank=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UNVERIFIED
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    size_seen = models.PositiveIntegerField(_("size when checked"), null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    # The newest value of every metric, with its source and age: written with the time series
    # by the refresh, so reports read one row per link instead of scanning the series.
    latest = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["affiliate", "partnership"]),
            models.Index(fields=["last_refreshed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(depth__lte=5), name="content_link_depth_at_most_five"
            ),
        ]

    def __str__(self) -> str:
        if self.target:
            return gettext("%(kind)s: %(target)s") % {
                "kind": self.get_kind_display(),
                "target": self.target,
            }
        return f"{self.get_kind_display()} ({len(self.items)})"

    @property
    def has_demo_figures(self) -> bool:
        """Return whether the newest figures were made up for the demo (never fetched)."""
        return any(entry.get("source") == "demo" for entry in self.latest.values())


class Metric(models.TextChoices):
    FILES = "files", _("Files in the category")
    FILES_DEEP = "files_deep", _("Files with subcategories")
    FILES_IN_USE = "files_in_use", _("Files in use")
    PAGES_USING = "pages_using", _("Pages using the files")
    WIKIS_USING = "wikis_using", _("Wikis using the files")
    VIEWS = "views", _("Page views")
    UPLOADS = "uploads", _("Uploads")
    ITEMS = "items", _("Wikidata items")
    STATEMENTS = "statements", _("Statements")
    SITELINKS = "sitelinks", _("Sitelinks")
    ARTICLES = "articles", _("Articles")
    # A page whose first revision is on or after the partnership's start is created; one
    # created before it and edited since is improved (never both). See hub.impact.refresh.
    ARTICLES_CREATED = "articles_created", _("Articles created since the partnership started")
    ARTICLES_IMPROVED = "articles_improved", _("Articles improved since the partnership started")
    TOP_PAGES = "top_pages", _("Top pages")


# Counted per month (a sum over the month); every other metric is a snapshot taken that month.
MONTHLY_METRICS = frozenset({Metric.VIEWS, Metric.UPLOADS})


class Source(models.TextChoices):
    CIM = "commons-impact-metrics", _("Commons Impact Metrics")
    LIVE = "live-api", _("Live from the wiki's API")
    WIKIDATA_SEARCH = "wikidata-search", _("Wikidata search")
    WIKIDATA_API = "wikidata-api", _("Wikidata API")
    PAGEVIEWS = "pageviews-api", _("Wikimedia pageviews")
    # Made up for the demo data (hub.demo), never fetched: reports say so.
    DEMO = "demo", _("Demo figures")


class MetricPoint(models.Model):
    """One figure of one link for one month; a re-fetch replaces it, never adds to it."""

    link = models.ForeignKey(ContentLink, on_delete=models.CASCADE, related_name="points")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    month = models.DateField()  # the first day of the month
    value = models.BigIntegerField()
    source = models.CharField(max_length=30, choices=Source.choices)
    method = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["link", "metric", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["link", "metric", "month"], name="metric_point_once_per_month"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="metric_point_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.month:%Y-%m}: {self.value}"


class RefreshRun(models.Model):
    """One refresh of one link's metrics, done step by step in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("On demand")
        SCHEDULE = "schedule", _("Monthly schedule")

    link = models.ForeignKey(ContentLink, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    done_steps = models.PositiveIntegerField(default=0)
    total_steps = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["link", "status"])]
        constraints = [
            # At most one run per link in progress: a second click joins the first.
            models.UniqueConstraint(
                fields=["link"],
                condition=Q(status__in=["queued", "running"]),
                name="refresh_run_one_active_per_link",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.link} {self.get_status_display()} {self.done_steps}/{self.total_steps}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if not self.total_steps:
            return 0
        return min(100, round(100 * self.done_steps / self.total_steps))


class RefreshStep(models.Model):
    """The ledger of a run: one fetched piece and what it counted, written once."""

    run = models.ForeignKey(RefreshRun, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    requests = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="refresh_step_once_per_run")
        ]

    def __str__(self) -> str:
        return self.key


class ShareLink(models.Model):
    """A read-only impact report for a partner: signed, expiring and revocable."""

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, null=True, blank=True, related_name="share_links"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="share_links"
    )
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partnership__isnull=False, organisation__isnull=True)
                | Q(partnership__isnull=True, organisation__isnull=False),
                name="share_link_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership or self.organisation} → {self.expires_at:%Y-%m-%d}"


class AffiliateTotals(models.Model):
    """The affiliate's figures over all its content links, rewritten with every link's figures.

    The affiliate's report reads this row and its month totals instead of every link and point.
    """

    affiliate = models.OneToOneField(
        Affiliate, on_delete=models.CASCADE, primary_key=True, related_name="impact_totals"
    )
    # Sums of the links' newest figures, the wiki and language counts, the top wikis and pages,
    # and the oldest fetch per source: see hub.impact.totals.summarise.
    figures = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"impact totals of {self.affiliate_id}"


class AffiliateMonthTotal(models.Model):
    """One monthly figure summed over all the affiliate's content links; replaced, never added."""

    affiliate = models.ForeignKey(
        Affiliate, on_delete=models.CASCADE, related_name="impact_month_totals"
    )
    metric = models.CharField(max_length=20, choices=Metric.choices)
    month = models.DateField()  # the first day of the month
    value = models.BigIntegerField()

    class Meta:
        ordering = ["affiliate", "metric", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["affiliate", "metric", "month"], name="affiliate_month_total_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.month:%Y-%m}: {self.value}"


# The figures kept per partnership (PartnershipTotals): the sums of the links' newest figures
# (hub.impact.totals.SUMMED, in its order) and the page views of one year.
TOTALLED = (
    Metric.FILES_DEEP,
    Metric.FILES_IN_USE,
    Metric.PAGES_USING,
    Metric.ITEMS,
    Metric.STATEMENTS,
    Metric.SITELINKS,
    Metric.ARTICLES,
    Metric.ARTICLES_CREATED,
    Metric.ARTICLES_IMPROVED,
    Metric.VIEWS,
)


class PartnershipTotals(models.Model):
    """A partnership's figures summed over its content links; rewritten, never added to.

    Rewritten from the partnership's links (hub.impact.totals.rebuild_partnership_totals) in
    the transaction of each refresh and each removed link, so a page about many partnerships
    (the public showcase) sums these rows instead of every link's newest figures and points.
    For each metric of TOTALLED three columns: ``<metric>`` the sum (null when no link
    measured it: no value, not zero), ``<metric>_sources`` the sources' codes (sorted, joined
    by commas) and ``<metric>_as_of`` the oldest fetch among the links (for page views, the
    newest month counted).
    """

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, primary_key=True, related_name="impact_totals"
    )
    # The year the page views count (so far that year): a row of an earlier year has none
    # for this year.
    views_year = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"impact totals of partnership {self.partnership_id}"


for _metric in TOTALLED:
    PartnershipTotals.add_to_class(str(_metric), models.BigIntegerField(null=True, blank=True))
    PartnershipTotals.add_to_class(
        f"{_metric}_sources", models.CharField(max_length=200, blank=True)
    )
    PartnershipTotals.add_to_class(f"{_metric}_as_of", models.DateField(null=True, blank=True))
