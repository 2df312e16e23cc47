"""Forms of the library: the search box with its facets, a resource, a case study's story."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.core.regions import Region
from hub.library import files
from hub.library.models import Kind, Licence, Resource, TemplateKind, Visibility
from hub.library.vocabulary import FACETS, LANGUAGES, Topic, language_name
from hub.partners.models import PartnerType
from hub.partnerships.models import Activity


class _FacetField(forms.CharField):
    """A chosen facet value: one of the facet's values (a link's parameter, never drawn).

    Not a ChoiceField: that one copies and normalises the whole list (every language) on
    each search.
    """

    default_error_messages = {
        "invalid_choice": forms.ChoiceField.default_error_messages["invalid_choice"]
    }

    def __init__(self, values: frozenset[str], **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.values = values

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and value not in self.values:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )


_FACET_VALUES = {
    name: frozenset(str(v) for v, _label in choices) for name, (_l, choices) in FACETS.items()
}


class SearchForm(forms.Form):
    """The search box and the chosen facet values (GET, so results can be shared as links)."""

    q = forms.CharField(label=_("Search the library"), required=False, max_length=200)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (label, _choices) in FACETS.items():
            self.fields[name] = _FacetField(_FACET_VALUES[name], label=label)

    def chosen(self) -> dict[str, str]:
        """Return the facet values chosen, by facet name."""
        return {name: self.cleaned_data.get(name) or "" for name in FACETS}


def _multiple(label: Any, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, required=False, choices=choices, widget=forms.CheckboxSelectMultiple
    )


class ResourceForm(forms.Form):
    """Describe a resource and give its file; the file is checked by its bytes."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    template_kind = forms.ChoiceField(
        label=_("Kind of template"),
        required=False,
        choices=[("", _("Not a template")), *TemplateKind.choices],
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea,
        help_text=_("Write the resource here, or give a file below, or both."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="en")
    translations = forms.ModelMultipleChoiceField(
        label=_("The same resource in other languages"),
        required=False,
        queryset=Resource.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    licence = forms.ChoiceField(
        label=_("Licence of this resource"), required=False, choices=[("", "—"), *Licence.choices]
    )
    author = forms.CharField(label=_("Author"), required=False, max_length=200)
    topics = _multiple(_("Topics"), Topic.choices)
    partner_types = _multiple(_("Partner types"), PartnerType.choices)
    regions = _multiple(_("Regions"), Region.choices)
    activity_kinds = _multiple(_("Activity kinds"), Activity.Kind.choices)
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Visibility.choices,
        initial=Visibility.AFFILIATE,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, ODT, DOCX, PPTX or ODP, or an image (PNG, JPEG, GIF, WebP)."),
        widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT}),
    )

    def __init__(self, *args: Any, affiliate: Any = None, editing: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["translations"]
        if affiliate is not None:
            others = Resource.objects.filter(affiliate=affiliate).only("id", "title", "language")
            if editing is not None:
                others = others.exclude(pk=editing.pk)
            field.queryset = others.order_by("title")
            field.label_from_instance = (  # type: ignore[method-assign]
                lambda r: f"{r.title} ({language_name(r.language)})"
            )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload:
            files.check_file(upload, upload.name or "", upload.size or 0)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") != Kind.TEMPLATE:
            data["template_kind"] = ""
        return data

    def fields_for_service(self) -> dict[str, Any]:
        """Return the described fields as the services take them."""
        data = self.cleaned_data
        names = (
            "template_kind",
            "summary",
            "body",
            "language",
            "licence",
            "author",
            "topics",
            "partner_types",
            "regions",
            "activity_kinds",
            "visibility",
        )
        return {name: data[name] for name in names}


class StoryForm(forms.Form):
    """A case study's own story: what worked, what did not, advice."""

    what_worked = forms.CharField(label=_("What worked"), required=False, widget=forms.Textarea)
    what_did_not = forms.CharField(
        label=_("What did not work"), required=False, widget=forms.Textarea
    )
    advice = forms.CharField(label=_("Advice to others"), required=False, widget=forms.Textarea)


class CaseStudyForm(StoryForm):
    """Start a case study of a published partnership."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="en")
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Visibility.choices,
        initial=Visibility.MOVEMENT,
        widget=forms.RadioSelect,
    )

    field_order = ["title", "summary", "what_worked", "what_did_not", "advice", "language"]
