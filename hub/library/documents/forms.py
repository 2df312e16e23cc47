"""The form that picks what to generate: kind, template and language."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hub.core.models import Affiliate
from hub.library.documents import templates
from hub.library.models import TemplateKind


class GenerateForm(forms.Form):
    """Choose a kind of document, the template to fill in and the language to write it in."""

    kind = forms.ChoiceField(label=_("Kind of document"))
    template = forms.TypedChoiceField(
        label=_("Template"),
        coerce=int,
        empty_value=0,  # type: ignore[arg-type]
        required=False,
        help_text=_("The Hub’s default, or a template your affiliate or others shared."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, affiliate: Affiliate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shared = list(templates.available(affiliate))
        kinds = {str(k) for k in templates.DEFAULT_KINDS} | {r.template_kind for r in shared}
        kind_field = cast(forms.ChoiceField, self.fields["kind"])
        template_field = cast(forms.ChoiceField, self.fields["template"])
        kind_field.choices = [(k.value, k.label) for k in TemplateKind if k in kinds]
        template_field.choices = [(0, _("The Hub’s default template"))] + [
            (
                r.pk,
                f"{TemplateKind(r.template_kind).label if r.template_kind else ''}: "
                f"{r.title} ({r.language}, {r.affiliate.name})",
            )
            for r in shared
        ]
