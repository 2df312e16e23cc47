"""Forms of the impact pages: they parse input; the services check it against the wiki."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hub.impact.models import ContentLink


class ContentLinkForm(forms.Form):
    """Say which Wikimedia content a partnership brought: a category, files, items, articles."""

    kind = forms.ChoiceField(label=_("Kind of content"), choices=ContentLink.Kind.choices)
    target = forms.CharField(
        label=_("Category or Wikidata item"),
        required=False,
        max_length=400,
        help_text=_(
            "For a Commons category: its name, with or without “Category:”. For a Wikidata "
            "collection: the partner's item, such as Q190804."
        ),
    )
    depth = forms.IntegerField(
        label=_("Subcategory depth"),
        min_value=0,
        max_value=5,
        initial=0,
        required=False,
        help_text=_("0 counts the category only; 1 adds its subcategories, and so on."),
    )
    items_text = forms.CharField(
        label=_("List"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("For a list: one file name, Wikidata item or article title per line."),
    )
    wiki_url = forms.CharField(
        label=_("Wiki address"),
        required=False,
        max_length=300,
        help_text=_(
            "Needed for Wikipedia articles, e.g. https://sv.wikipedia.org. Leave empty for "
            "Commons and Wikidata."
        ),
    )

    def clean_depth(self) -> int:
        return self.cleaned_data.get("depth") or 0


class ShareForm(forms.Form):
    """Choose how long a partner's report link works."""

    days = forms.IntegerField(
        label=_("Works for (days)"),
        min_value=1,
        max_value=366,
        initial=lambda: settings.HUB_IMPACT_SHARE_DAYS,
    )


def year_param(value: str | None) -> int | None:
    """Return a plausible report year from a query string, or None to use the latest."""
    if value and value.isdigit() and 2001 <= int(value) <= 2100:
        return int(value)
    return None
