"""Choose people of the Hub by searching for them, not by typing their usernames.

The pattern of the organisation picker (hub/partners/pickers.py), for several people at once:
a search box and a "Search" button; the form comes back with what was typed and at most
MATCH_LIMIT matching people as check boxes, those already ticked kept. No JavaScript needed.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from hub.core.models import User
from hub.core.params import text_param

# Enough to find a person among namesakes; a longer list means "type more of the name".
MATCH_LIMIT = 20


def person_label(user: User) -> str:
    """Return a person's name with their username, to tell namesakes apart."""
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


def matches(people: QuerySet[User], q: str) -> tuple[list[dict[str, Any]], bool]:
    """Return up to MATCH_LIMIT of the people matching q as {id, label}, and if more do."""
    words = q.split()
    if not words:
        return [], False
    for word in words:
        people = people.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
        )
    rows = list(people.order_by("first_name", "last_name", "username")[: MATCH_LIMIT + 1])
    found = [{"id": user.pk, "label": person_label(user)} for user in rows[:MATCH_LIMIT]]
    return found, len(rows) > MATCH_LIMIT


class PickedPeople(NamedTuple):
    """What a picker sent: the ticked people's ids, the search text, the Search button."""

    chosen: list[str]
    query: str
    searched: bool


class PeoplePicker(forms.Widget):
    """A search box, a Search button and check boxes for the matches (and those ticked)."""

    template_name = "helpdesk/_people_picker.html"

    def value_from_datadict(self, data: Any, files: Any, name: str) -> PickedPeople:
        chosen = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        return PickedPeople(
            chosen=[str(pk) for pk in chosen if str(pk).isdigit()],
            query=text_param(data, f"{name}_q"),
            searched=f"{name}_search" in data,
        )

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_q" not in data

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        picked = value if isinstance(value, PickedPeople) else PickedPeople([], "", False)
        people: QuerySet[User] = self.choices.queryset  # type: ignore[attr-defined]
        options = [
            {"id": user.pk, "label": person_label(user), "checked": True}
            for user in people.filter(pk__in=picked.chosen)
        ]
        found, more = matches(people, picked.query)
        chosen_ids = {option["id"] for option in options}
        options += [{**m, "checked": False} for m in found if m["id"] not in chosen_ids]
        context["picker"] = {
            "query": picked.query,
            "found": len(found),
            "more": more,
            "options": options,
        }
        return context

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # The project's templates (not the form renderer's) hold the picker's markup.
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308


class PeopleField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Choose one or more active people of the Hub, by searching for them."""

    widget = PeoplePicker

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("People"))
        kwargs.setdefault("help_text", _("Type part of a name or username, then search."))
        super().__init__(queryset=User.objects.filter(is_active=True), **kwargs)

    def clean(self, value: Any) -> Any:
        if isinstance(value, PickedPeople):
            # Search text and nobody ticked (or the Search button): a search, not a save.
            if value.query and (value.searched or not value.chosen):
                raise ValidationError(
                    _("Tick the people found for “%(query)s”, then add them."),
                    code="search",
                    params={"query": value.query},
                )
            value = value.chosen
        return super().clean(value)

    def prepare_value(self, value: Any) -> Any:
        # What was sent goes back to the widget whole: the search text is part of it.
        return value if isinstance(value, PickedPeople) else super().prepare_value(value)

    def has_changed(self, initial: Any, data: Any) -> bool:
        chosen = data.chosen if isinstance(data, PickedPeople) else data
        return super().has_changed(initial, chosen)
