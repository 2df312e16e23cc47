"""Choose one of the affiliate's organisations by searching, not from a list of thousands.

Without JavaScript the field is a search box and a "Search" button: the form comes back with
what was typed and at most MATCH_LIMIT matches as radio buttons. With JavaScript (static/js/
picker.js) the same radio buttons follow the typing, from the organisation_suggest endpoint.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from hub.core.languages import join_list
from hub.core.models import Affiliate
from hub.core.params import text_param
from hub.partners.models import Organisation
from hub.partners.selectors import search_organisations

# Enough to find the partner among similar names; a longer list means "type more of the name".
MATCH_LIMIT = 20


def live_organisations(affiliate: Affiliate) -> QuerySet[Organisation]:
    """Return the affiliate's organisations that may be chosen (not archived)."""
    return Organisation.objects.filter(affiliate=affiliate, archived_at=None)


def organisation_label(name: str, city: str, country: str) -> str:
    """Return an organisation's name with its place, to tell namesakes apart."""
    place = join_list(part for part in (city, country) if part)
    return f"{name} ({place})" if place else name


def matches(organisations: QuerySet[Organisation], q: str) -> tuple[list[dict[str, Any]], bool]:
    """Return up to MATCH_LIMIT of the organisations matching q as {id, label}, and if more do."""
    if not q.strip():
        return [], False
    rows = list(
        search_organisations(organisations, q)
        .order_by("name", "id")
        .values_list("id", "name", "city", "country")[: MATCH_LIMIT + 1]
    )
    found = [{"id": pk, "label": organisation_label(*rest)} for pk, *rest in rows[:MATCH_LIMIT]]
    return found, len(rows) > MATCH_LIMIT


class Picked(NamedTuple):
    """What a picker sent: the chosen organisation's id, the search text, the Search button."""

    chosen: str
    query: str
    searched: bool


class OrganisationPicker(forms.Widget):
    """A search box, a Search button and radio buttons for the matches (and the one chosen)."""

    template_name = "_organisation_picker.html"
    suggest_url = ""
    allow_none = True

    class Media:
        js = [forms.Script("js/picker.js", defer=True)]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Picked:
        return Picked(
            chosen=text_param(data, name, 20),
            query=text_param(data, f"{name}_q"),
            searched=f"{name}_search" in data,
        )

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_q" not in data

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        picked = value if isinstance(value, Picked) else Picked(str(value or ""), "", False)
        organisations: QuerySet[Organisation] = self.choices.queryset  # type: ignore[attr-defined]
        options: list[dict[str, Any]] = []
        if picked.chosen.isdigit():
            row = organisations.filter(pk=picked.chosen).values_list("name", "city", "country")
            for name_city_country in row[:1]:
                label = organisation_label(*name_city_country)
                options.append({"id": int(picked.chosen), "label": label, "checked": True})
        found, more = matches(organisations, picked.query)
        chosen_ids = {option["id"] for option in options}
        options += [{**m, "checked": False} for m in found if m["id"] not in chosen_ids]
        if options and self.allow_none:
            options.append({"id": "", "label": _("— none —"), "checked": not chosen_ids})
        context["picker"] = {
            "query": picked.query,
            "found": len(found),
            "more": more,
            "options": options,
            "suggest_url": self.suggest_url,
        }
        return context

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # The project's templates (not the form renderer's) hold the picker's markup.
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308


class OrganisationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Choose one of the affiliate's live organisations, by searching for it."""

    widget = OrganisationPicker

    def __init__(self, *, affiliate: Affiliate, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Organisation"))
        kwargs.setdefault(
            "help_text", _("Type part of the name, the city or a contact, then search.")
        )
        super().__init__(queryset=live_organisations(affiliate), **kwargs)
        widget = self.widget
        assert isinstance(widget, OrganisationPicker)  # noqa: S101
        widget.suggest_url = reverse(
            "partners:organisation_suggest", kwargs={"slug": affiliate.slug}
        )
        widget.allow_none = not self.required

    def to_python(self, value: Any) -> Organisation | None:
        if isinstance(value, Picked):
            # Search text and nothing chosen (or the Search button): a search, not a save.
            if value.query and (value.searched or not value.chosen):
                raise ValidationError(
                    _("Choose one of the organisations found for “%(query)s”, then save."),
                    code="search",
                    params={"query": value.query},
                )
            value = value.chosen
        return super().to_python(value)  # type: ignore[no-any-return]

    def has_changed(self, initial: Any, data: Any) -> bool:
        chosen = data.chosen if isinstance(data, Picked) else data
        return super().has_changed(initial, chosen)
