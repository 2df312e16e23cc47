"""Forms of the surveys app: editing surveys and questions, sending, rules, answering."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.partners.models import Contact
from hub.surveys.models import Question, Survey, SurveyRule
from hub.surveys.models.surveys import MAX_TEXT_ANSWER, translation_language


def other_languages() -> list[tuple[str, str]]:
    """Return the languages a survey may be translated into (all the Hub knows but its own)."""
    return [(c, str(n)) for c, n in settings.HUB_KNOWN_LANGUAGES if c != settings.LANGUAGE_CODE]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@dataclass(frozen=True)
class Translated:
    """One part of a text that is translated into each other language (a field per language)."""

    label: Any  # says "%(language)s"
    max_length: int | None = None
    rows: int = 0  # a text area of this many rows; 0 for one line
    lines: bool = False  # kept as a list, one item per line


class TranslatedForm(forms.Form):
    """A form with, after its own fields, each translated part in each other language
    ("text_fr", "choices_fr", "text_es", ...); the translations are kept as
    {language code: {part: value}} and only for the languages with something written."""

    translated: ClassVar[dict[str, Translated]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in other_languages():
            for part, spec in self.translated.items():
                self.fields[f"{part}_{code}"] = forms.CharField(
                    label=spec.label % {"language": name},
                    required=False,
                    max_length=spec.max_length,
                    widget=forms.Textarea(attrs={"rows": spec.rows}) if spec.rows else None,
                )

    @classmethod
    def translated_initial(cls, translations: dict[str, Any]) -> dict[str, str]:
        """Return the translation fields' initial values from what the model keeps."""
        initial = {}
        for code, _name in other_languages():
            kept = translations.get(code) or {}
            for part, spec in cls.translated.items():
                value = kept.get(part, [] if spec.lines else "")
                initial[f"{part}_{code}"] = "\n".join(value) if spec.lines else value
        return initial

    def cleaned_translations(self) -> dict[str, dict[str, Any]]:
        """Return the cleaned translations, as the model keeps them."""
        translations = {}
        for code, _name in other_languages():
            values = {
                part: _lines(raw) if spec.lines else raw.strip()
                for part, spec in self.translated.items()
                for raw in [self.cleaned_data.get(f"{part}_{code}", "")]
            }
            if any(values.values()):
                translations[code] = values
        return translations


class SurveyForm(TranslatedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to partners above the questions."),
    )

    translated: ClassVar[dict[str, Translated]] = {
        "title": Translated(_("Title in %(language)s"), max_length=200),
        "intro": Translated(_("Introduction in %(language)s"), max_length=2000, rows=2),
    }

    def __init__(self, *args: Any, survey: Survey | None = None, **kwargs: Any) -> None:
        if survey is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "title": survey.title,
                "intro": survey.intro,
                **self.translated_initial(survey.translations),
            }
        super().__init__(*args, **kwargs)

    def fields_for_service(self) -> dict[str, Any]:
        """Return the cleaned title and introduction, their translations gathered."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "intro": data["intro"],
            "translations": self.cleaned_translations(),
        }


class QuestionForm(TranslatedForm):
    kind = forms.ChoiceField(label=_("Kind of question"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question"), max_length=500)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For one or several choices: one per line."),
    )
    required = forms.BooleanField(label=_("An answer is needed"), required=False)
    satisfaction = forms.BooleanField(
        label=_("Measures satisfaction"),
        required=False,
        help_text=_("A 1–5 rating that counts as the partner's satisfaction in the results."),
    )

    translated: ClassVar[dict[str, Translated]] = {
        "text": Translated(_("Question in %(language)s"), max_length=500),
        "choices": Translated(_("Choices in %(language)s"), rows=2, lines=True),
    }

    def __init__(self, *args: Any, question: Question | None = None, **kwargs: Any) -> None:
        if question is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "kind": question.kind,
                "text": question.text,
                "choices": "\n".join(question.choices),
                "required": question.required,
                "satisfaction": question.satisfaction,
                **self.translated_initial(question.translations),
            }
        super().__init__(*args, **kwargs)

    def fields_for_service(self) -> dict[str, Any]:
        """Return the cleaned question, its translations gathered, for the services."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "text": data["text"],
            "choices": _lines(data["choices"]),
            "translations": self.cleaned_translations(),
            "required": data["required"],
            "satisfaction": data["satisfaction"] and data["kind"] == Question.Kind.RATING,
        }


class SendForm(forms.Form):
    survey = forms.ModelChoiceField(label=_("Survey"), queryset=Survey.objects.none())
    contacts = forms.ModelMultipleChoiceField(
        label=_("Send to"),
        queryset=Contact.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateField(
        label=_("Answers accepted until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reminder_after_days = forms.IntegerField(
        label=_("Remind those who have not answered after (days)"),
        min_value=0,
        max_value=90,
        initial=7,
        help_text=_("0 sends no reminder."),
    )

    def __init__(self, *args: Any, surveys: Any, contacts: list[Contact], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("deadline", timezone.localdate() + dt.timedelta(days=21))
        kwargs["initial"].setdefault("contacts", [c.pk for c in contacts])
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = surveys  # type: ignore[attr-defined]
        self.fields["contacts"].queryset = Contact.objects.filter(  # type: ignore[attr-defined]
            pk__in=[c.pk for c in contacts]
        ).order_by("name")


class RuleForm(forms.Form):
    survey = forms.ModelChoiceField(label=_("Survey"), queryset=Survey.objects.none())
    trigger = forms.ChoiceField(label=_("When"), choices=SurveyRule.Trigger.choices)
    answer_within_days = forms.IntegerField(
        label=_("Days to answer"), min_value=1, max_value=365, initial=21
    )
    reminder_after_days = forms.IntegerField(
        label=_("Remind after (days)"), min_value=0, max_value=90, initial=7
    )

    def __init__(self, *args: Any, surveys: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = surveys  # type: ignore[attr-defined]


RATING_LABELS = {
    1: _("1 – very dissatisfied"),
    2: _("2"),
    3: _("3"),
    4: _("4"),
    5: _("5 – very satisfied"),
}


def answer_field(question: Question, language: str) -> forms.Field:
    """Return the form field that asks one question in the respondent's language."""
    label = question.text_in(translation_language(language))
    kind = question.kind
    common: dict[str, Any] = {"label": label, "required": False}
    if kind == Question.Kind.TEXT:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TEXT_ANSWER}), **common
        )
    if kind == Question.Kind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=list(enumerate(question.choices_in(translation_language(language)))),
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if kind == Question.Kind.SINGLE:
        choices: list[tuple[Any, Any]] = list(
            enumerate(question.choices_in(translation_language(language)))
        )
    elif kind == Question.Kind.RATING:
        choices = list(RATING_LABELS.items())
    elif kind == Question.Kind.RECOMMEND:
        choices = [(n, str(n)) for n in range(11)]
        common["help_text"] = _("0 = not at all likely, 10 = extremely likely")
    else:
        choices = [(1, _("Yes")), (0, _("No"))]
    return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)


class AnswerForm(forms.Form):
    """The questions of one survey version, each optional until the respondent sends them."""

    def __init__(self, *args: Any, questions: list[Question], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = {f"q{q.pk}": q for q in questions}
        for name, question in self.questions.items():
            self.fields[name] = answer_field(question, language)

    def clean(self) -> dict[str, Any]:
        from django.core.exceptions import ValidationError

        from hub.surveys.answering import clean_answer

        data = super().clean() or {}
        self.answers: dict[int, dict[str, Any] | None] = {}
        for name, question in self.questions.items():
            raw = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name)
            try:
                self.answers[question.pk] = clean_answer(question, raw)
            except ValidationError as error:
                self.add_error(name, error)
        return data

    def missing_required(self) -> list[str]:
        """Return the names of needed questions still without an answer."""
        return [
            name
            for name, q in self.questions.items()
            if q.required and self.answers.get(q.pk) is None
        ]
