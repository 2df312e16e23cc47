"""Library resources (case studies, templates, guidelines, promotional material)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate
from hub.partnerships.models import Partnership


class Kind(models.TextChoices):
    CASE_STUDY = "case_study", _("Case study")
    TEMPLATE = "template", _("Template")
    GUIDELINE = "guideline", _("Guideline")
    PROMOTIONAL = "promotional", _("Promotional material")


class TemplateKind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement")
    MOU = "mou", _("Memorandum of understanding")
    CONCEPT_NOTE = "concept_note", _("Concept note")
    LETTER_OF_INTENT = "letter_of_intent", _("Letter of intent")
    DATA_LICENCE_AGREEMENT = "data_licence_agreement", _("Data and licence agreement")
    PRESS_RELEASE = "press_release", _("Press release")
    IMPACT_SUMMARY = "impact_summary", _("Impact summary")
    GRANT_REPORT_SECTION = "grant_report_section", _("Grant report section")


class Visibility(models.TextChoices):
    AFFILIATE = "affiliate", _("Our affiliate only")
    MOVEMENT = "movement", _("The movement (everyone signed in)")
    PUBLIC = "public", _("Public (anyone, without signing in)")


class Licence(models.TextChoices):
    CC_BY_SA = "cc-by-sa-4.0", _("CC BY-SA 4.0")
    CC_BY = "cc-by-4.0", _("CC BY 4.0")
    CC0 = "cc0-1.0", _("CC0 1.0 (public domain dedication)")
    ALL_RIGHTS = "all-rights-reserved", _("All rights reserved")
    OTHER = "other", _("Other (say which in the summary)")


class FileStatus(models.TextChoices):
    NONE = "none", _("No file")
    PENDING = "pending", _("Being read")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be read")


class Resource(models.Model):
    """One thing in the library: a case study, a template, a guideline or promotional material."""

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    template_kind = models.CharField(
        _("kind of template"), max_length=30, choices=TemplateKind.choices, blank=True
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    # Text written in the Hub (a template's wording, a guideline without a file).
    body = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=12, default="en")
    translations = models.ManyToManyField(
        "self", blank=True, symmetrical=True, verbose_name=_("versions in other languages")
    )
    licence = models.CharField(
        _("licence of this resource"), max_length=30, choices=Licence.choices, blank=True
    )
    author = models.CharField(_("author"), max_length=200, blank=True)
    # Lists of codes from DESIGN's vocabulary (hub.library.vocabulary); ResourceFacet rows
    # repeat them, with kind and language, so search can count and filter in SQL.
    topics = models.JSONField(_("topics"), default=list, blank=True)
    partner_types = models.JSONField(_("partner types"), default=list, blank=True)
    regions = models.JSONField(_("regions"), default=list, blank=True)
    activity_kinds = models.JSONField(_("activity kinds"), default=list, blank=True)
    visibility = models.CharField(
        _("who can see it"), max_length=10, choices=Visibility.choices, default=Visibility.AFFILIATE
    )
    featured = models.BooleanField(_("featured"), default=False)
    featured_at = models.DateTimeField(null=True, blank=True)
    # The file as checked by its bytes (hub.library.files), its first-page preview and its text.
    file = models.FileField(upload_to="library/%Y/%m/", max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_kind = models.CharField(max_length=10, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    file_status = models.CharField(
        max_length=10, choices=FileStatus.choices, default=FileStatus.NONE
    )
    file_problem = models.CharField(max_length=500, blank=True)
    preview = models.FileField(upload_to="library-previews/%Y/%m/", max_length=300, blank=True)
    extracted_text = models.TextField(blank=True, editable=False)
    # What search reads besides title and extracted text (summary, body, a case study's story
    # and partners), written by the services; and the PostgreSQL text-search configuration of
    # the language (hub.library.search keeps both indexes from these columns).
    search_text = models.TextField(blank=True, editable=False)
    search_config = models.CharField(max_length=20, default="simple", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["visibility", "-updated_at"]),
            # The showcase's newest public case studies, read newest first without a sort.
            models.Index(fields=["visibility", "-created_at"]),
            models.Index(fields=["affiliate", "-updated_at"]),
            models.Index(fields=["featured", "-updated_at"]),
            # Who may see a row, without reading it: on SQLite a resource's row runs over
            # several pages (its file's text), and the columns after that text are slow to reach.
            models.Index(
                fields=["id", "visibility", "affiliate"], name="library_resource_scope_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(template_kind="") | models.Q(kind="template"),
                name="library_template_kind_only_on_templates",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ResourceFacet(models.Model):
    """One facet value of a resource (kind, language, region, ...), for counting and filtering."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="facets")
    facet = models.CharField(max_length=16)
    value = models.CharField(max_length=40)
    # Who may see the resource, repeated from it (and its case study's partnership), so that
    # search counts results and facets from these narrow rows alone (hub.library.selectors).
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="+")
    visibility = models.CharField(max_length=10, default=Visibility.AFFILIATE)
    case_partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "facet", "value"], name="library_one_facet_value"
            )
        ]
        indexes = [
            # Counting facets reads this index alone, in its order: who may see, and the
            # resource (for the words' matches), are in it.
            models.Index(
                fields=[
                    "facet",
                    "value",
                    "visibility",
                    "affiliate",
                    "case_partnership",
                    "resource",
                ],
                name="library_facet_count_idx",
            ),
            # A page of the newest, read off the kind rows in order.
            models.Index(fields=["facet", "-resource"], name="library_facet_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


class CaseStudy(models.Model):
    """A published partnership told by its affiliate: the story beside figures read live."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, related_name="case_study")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="case_studies"
    )
    what_worked = models.TextField(_("what worked"), blank=True)
    what_did_not = models.TextField(_("what did not work"), blank=True)
    advice = models.TextField(_("advice to others"), blank=True)

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")

    def __str__(self) -> str:
        return str(self.resource)
