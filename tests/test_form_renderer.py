"""The Hub's form renderer draws the same markup as Django's templates (hub.core.form_renderer)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import django.forms
import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template import engines
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from hub.core.form_renderer import DRAWN, FastRenderer
from hub.core.templatetags.hub_forms import draw_field
from hub.partnerships.forms import (
    AgreementForm,
    DocumentForm,
    PartnerRowsForm,
    PartnershipFilterForm,
    PartnershipForm,
    StageForm,
)
from hub.partnerships.models import AgreementPoint, Partnership
from tests import factories

DJANGO = DjangoTemplates()
FAST = FastRenderer()
SCRIPT = "<script>alert(\"x\")</script> & 'quotes'"

ATTRS: list[dict[str, Any]] = [
    {},
    {"id": "id_x", "required": True, "disabled": False},
    {"id": SCRIPT, "class": "a b", "data-n": 3, "rows": 2, "placeholder": _("Search")},
    {"aria-describedby": "id_x_helptext", "title": mark_safe("<b>safe</b>")},
]

CHOICES: list[Any] = [
    ("a", "A"),
    ("", "—"),
    (1, 2),
    ("s", SCRIPT),
    (SCRIPT, _("Stage")),
    ("Group", [("g1", "One"), ("g2", mark_safe("<i>two</i>"))]),
]


def _widgets() -> list[tuple[forms.Widget, list[Any]]]:
    """Each widget the renderer draws, with the values it meets."""
    texts = [None, "", "plain", SCRIPT, mark_safe("<em>safe</em>"), 0, 12, Decimal("1.50")]
    return [
        (forms.TextInput(), texts),
        (forms.NumberInput(), [None, 3, 2.5, Decimal("10.25")]),
        (forms.EmailInput(), texts),
        (forms.URLInput(), texts),
        (forms.PasswordInput(render_value=True), texts),
        (forms.HiddenInput(), [*texts, True, False]),
        (forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), [None, dt.date(2026, 5, 1)]),
        (forms.DateInput(), [dt.date(2026, 5, 1), "2026-13-01"]),
        (forms.TimeInput(), [dt.time(9, 30)]),
        (forms.DateTimeInput(), [dt.datetime(2026, 5, 1, 9, 30, tzinfo=dt.UTC)]),
        (forms.SearchInput(), texts),
        (forms.TelInput(), texts),
        (forms.ColorInput(), ["#ff0000"]),
        (forms.CheckboxInput(), [None, True, False, "", "on"]),
        (forms.FileInput(), [None]),
        (forms.ClearableFileInput(), [None]),
        (forms.Textarea(), [*texts, "line\nline", "\nleading"]),
        (forms.Select(choices=CHOICES), [None, "a", "", 1, "1", SCRIPT, "g2", "missing"]),
        (forms.SelectMultiple(choices=CHOICES), [None, ["a", "g1"], []]),
        (forms.NullBooleanSelect(), [None, True, False, "unknown"]),
    ]


@pytest.mark.parametrize(("widget", "values"), _widgets(), ids=lambda w: type(w).__name__)
@pytest.mark.parametrize("attrs", ATTRS)
def test_each_widget_is_drawn_as_django_draws_it(
    widget: forms.Widget, values: list[Any], attrs: dict[str, Any]
) -> None:
    for value in values:
        for language in ("en", "ar"):
            with translation.override(language):
                ours = widget.render("field", value, attrs=dict(attrs), renderer=FAST)
                django_s = widget.render("field", value, attrs=dict(attrs), renderer=DJANGO)
            assert ours == django_s, (widget, value)


def test_a_script_in_a_value_or_label_is_escaped() -> None:
    select = forms.Select(choices=[("s", SCRIPT)])
    drawn = select.render("field", "s", renderer=FAST) + forms.TextInput().render(
        "field", SCRIPT, renderer=FAST
    )
    assert "<script>" not in drawn
    assert "&lt;script&gt;" in drawn


class _EveryKind(forms.Form):
    text = forms.CharField(label=SCRIPT, help_text="Help", max_length=10)
    number = forms.DecimalField(label=_("Stage"), required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    flag = forms.BooleanField(required=False, label_suffix="")
    choice = forms.ChoiceField(choices=CHOICES[:4])
    upload = forms.FileField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    boxes = forms.MultipleChoiceField(
        choices=CHOICES[:4], widget=forms.CheckboxSelectMultiple, required=False
    )
    radios = forms.ChoiceField(choices=CHOICES[:4], widget=forms.RadioSelect, required=False)


def _forms() -> list[forms.BaseForm]:
    """Forms of the Hub's pages (and one of every kind), unbound and bound with errors."""
    partnership = Partnership(pk=1, title="P")
    points = [AgreementPoint(point="roles", status="agreed", text=SCRIPT)]
    return [
        _EveryKind(),
        _EveryKind({"text": SCRIPT, "number": "x", "day": "no", "flag": "on", "choice": "b"}),
        _EveryKind(auto_id=False),
        StageForm(initial={"exit_notes": SCRIPT}),
        StageForm(jump=True),
        StageForm({"to_stage": "nowhere", "reason": SCRIPT, "override": "on"}),
        StageForm({"jump": "1", "to_stage": "active"}),
        AgreementForm(partnership=partnership, points=points),
        AgreementForm(
            {"roles_status": "bad", "signed_on": "2026-02-01"}, partnership=partnership, points=[]
        ),
        DocumentForm(),
        DocumentForm({"kind": "nope"}),
    ]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_hub_forms_fields_and_labels_are_drawn_as_django_draws_them(language: str) -> None:
    with translation.override(language):
        for form in _forms():
            form.is_bound and form.is_valid()
            for name in form.fields:
                drawn = {}
                for renderer in (FAST, DJANGO):
                    form.renderer = renderer
                    field = form[name]
                    drawn[renderer] = (str(field), field.label_tag(), field.legend_tag())
                assert drawn[FAST] == drawn[DJANGO], (type(form).__name__, name)


@pytest.mark.django_db
def test_a_form_with_the_database_s_choices_is_drawn_as_django_draws_it(affiliate_a) -> None:
    factories.main_goal(affiliate_a, name=SCRIPT)
    for form in (
        PartnershipFilterForm({"stage": "active", "q": SCRIPT}, affiliate=affiliate_a),
        PartnershipForm(affiliate=affiliate_a),
        PartnershipForm({"title": SCRIPT, "goals": ["x"]}, affiliate=affiliate_a),
        PartnerRowsForm(affiliate=affiliate_a),
    ):
        _assert_drawn_alike(form)


def _assert_drawn_alike(form: forms.BaseForm) -> None:
    form.is_bound and form.is_valid()
    for name in form.fields:
        form.renderer = FAST
        ours = str(form[name]) + form[name].label_tag() + form[name].legend_tag()
        form.renderer = DJANGO
        assert ours == str(form[name]) + form[name].label_tag() + form[name].legend_tag(), name


def test_no_drawn_template_is_overridden_by_an_app_or_the_project() -> None:
    """Drawn in Python, an override would be ignored: none may exist."""
    own = Path(django.forms.__file__).parent / "templates"
    for name in DRAWN:
        origin = Path(FAST.get_template(name).origin.name)
        assert origin.is_relative_to(own), (name, origin)


def test_the_hub_uses_it() -> None:
    assert isinstance(get_default_renderer(), FastRenderer)


def test_the_partnership_page_s_forms_are_drawn_without_the_template_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    renderer = FastRenderer()

    def no_template(name: str) -> Any:
        raise AssertionError(f"{name} went through the template engine")

    monkeypatch.setattr(renderer, "get_template", no_template)
    for form in _forms()[3:]:
        form.renderer = renderer
        for name in form.fields:
            assert str(form[name]) and form[name].label_tag()


# What templates/_field.html was, before {% draw_field %} drew it: the markup it must keep.
FIELD_TEMPLATE = """<div class="field">
  {{ field.label_tag }}
  {% if field.errors %}<div class="cdx-message cdx-message--inline cdx-message--error"><span class="cdx-message__icon"></span><div class="cdx-message__content"><ul class="errorlist" id="{{ field.auto_id }}_error">{% for e in field.errors %}<li>{{ e }}</li>{% endfor %}</ul></div></div>{% endif %}
  {{ field }}
  {% if field.help_text %}<span class="helptext cdx-field__help-text" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</span>{% endif %}
</div>
"""  # noqa: E501


@pytest.mark.parametrize("language", ["en", "ar"])
def test_draw_field_draws_what_the_field_template_drew(language: str) -> None:
    template = engines["django"].from_string(FIELD_TEMPLATE)
    include = engines["django"].get_template("_field.html")
    with translation.override(language):
        for form in _forms():
            if form.is_bound:
                form.is_valid()
            for field in form.visible_fields():
                if form.is_bound:
                    form.add_error(field.name, SCRIPT)
                expected = template.render({"field": field})
                assert draw_field(field) + "\n" == expected, (type(form).__name__, field.name)
                assert include.render({"field": field}) == expected


def test_a_label_with_attributes_and_its_own_contents_is_drawn_as_django_draws_it() -> None:
    for form in (_EveryKind(), _EveryKind(auto_id=False), _EveryKind(label_suffix=" →")):
        for name in form.fields:
            drawn = {}
            for renderer in (FAST, DJANGO):
                form.renderer = renderer
                field = form[name]
                drawn[renderer] = (
                    field.label_tag(SCRIPT, attrs={"class": "x", "data-s": SCRIPT}),
                    field.label_tag(mark_safe("<b>b</b>"), label_suffix=""),
                    field.legend_tag(attrs={"hidden": True, "title": False}),
                )
            assert drawn[FAST] == drawn[DJANGO], name
