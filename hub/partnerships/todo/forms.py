"""Forms for tasks; the services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate, User
from hub.partners.pickers import OrganisationChoiceField
from hub.partnerships.models import Partnership, Task
from hub.partnerships.todo.services import TASK_FIELDS

# A menu of 10,000 partnerships would weigh more than the page: offer the most recently
# changed ones (plus the one already chosen); the field still accepts any of the affiliate's.
# (Organisations are found by searching: hub.partners.pickers.)
MENU_LIMIT = 300


def _limit_menu(
    field: forms.ModelChoiceField[Any], qs: QuerySet[Any], label: str, chosen: Any
) -> None:
    """Validate against the whole scoped queryset but list only a light menu."""
    field.queryset = qs
    menu = list(qs.order_by("-updated_at", "-id").values_list("pk", label)[:MENU_LIMIT])
    chosen_pk = chosen.pk if isinstance(chosen, Model) else chosen
    if chosen_pk and str(chosen_pk) not in {str(pk) for pk, _name in menu}:
        extra = qs.filter(pk=chosen_pk).values_list("pk", label).first()
        if extra:
            menu.insert(0, extra)
    menu.sort(key=lambda row: str(row[1]).casefold())
    field.choices = [("", "---------"), *menu]


class TaskForm(forms.ModelForm):
    """Add or change a task."""

    class Meta:
        model = Task
        fields = list(TASK_FIELDS)
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "due_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, affiliate: Affiliate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.affiliate = affiliate
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)  # noqa: S101
        assignee.queryset = User.objects.filter(
            memberships__affiliate=affiliate, is_active=True
        ).order_by("username")
        partnership = self.fields["partnership"]
        assert isinstance(partnership, forms.ModelChoiceField)  # noqa: S101
        _limit_menu(
            partnership,
            Partnership.objects.filter(affiliate=affiliate, archived_at=None),
            "title",
            self.data.get("partnership") or self.initial.get("partnership"),
        )
        self.fields["organisation"] = OrganisationChoiceField(
            affiliate=affiliate,
            required=False,
            help_text=_("Optional: the partner this task is about. Search for it by name."),
        )
        partnership.help_text = _("Optional: the partnership this task is about.")
        self.fields["recurrence"].help_text = _(
            "When you mark a repeating task done, the next one is created."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("recurrence") and not data.get("due_on"):
            self.add_error("due_on", _("A task that repeats needs a due date to count from."))
        return data

    def _post_clean(self) -> None:
        # The services validate and write; the form only parses (no model validation here).
        pass

    def service_fields(self) -> dict[str, Any]:
        """Return the cleaned values the task services take."""
        return {name: self.cleaned_data[name] for name in TASK_FIELDS}
