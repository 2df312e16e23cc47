"""The partnership page's forms, as drawn, post what they show (no JavaScript needed).

Each test reads a form off the page as a browser would (its fields, the values it shows, the
option selected, the CSRF token), changes what a person would, and posts it to the form's action.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from hub.partnerships.models import AgreementPoint, ChecklistPoint, Document, Stage
from tests import factories

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


class _Form:
    def __init__(self, action: str, attrs: dict[str, str]) -> None:
        self.action = action
        self.attrs = attrs
        self.fields: dict[str, str] = {}  # what a submit sends (checkboxes only if checked)
        self.controls: list[dict[str, str]] = []  # every control, with its attributes
        self.buttons: list[dict[str, str]] = []
        self.options: dict[str, list[tuple[str, str]]] = {}  # select name -> (value, label)
        self.labels: dict[str, str] = {}  # for -> label text


class _Forms(HTMLParser):
    """Read every form of a page: controls, their values as drawn, labels, buttons."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._select: str | None = None
        self._option: dict[str, str] | None = None
        self._textarea: str | None = None
        self._label: str | None = None
        self._button: dict[str, str] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v if v is not None else "" for k, v in attrs_list}
        form = self._form
        if tag == "form":
            self._form = _Form(attrs.get("action", ""), attrs)
            self.forms.append(self._form)
        elif form is None:
            return
        elif tag == "input":
            form.controls.append({"tag": tag, **attrs})
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            if attrs.get("type") != "file" and "name" in attrs:
                form.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            form.controls.append({"tag": tag, **attrs})
            self._select = attrs["name"]
            form.options[self._select] = []
        elif tag == "option":
            self._option, self._text = attrs, ""
        elif tag == "textarea":
            form.controls.append({"tag": tag, **attrs})
            self._textarea, self._text = attrs["name"], ""
        elif tag == "label":
            self._label, self._text = attrs.get("for", ""), ""
        elif tag == "button":
            self._button, self._text = attrs, ""

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if form is None:
            return
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select and self._option is not None:
            value = self._option.get("value", self._text)
            form.options[self._select].append((value, self._text.strip()))
            if "selected" in self._option:
                form.fields[self._select] = value
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A newline right after <textarea> is not part of its value (HTML).
            form.fields[self._textarea] = self._text.removeprefix("\n")
            self._textarea = None
        elif tag == "label" and self._label is not None:
            if self._label:
                form.labels[self._label] = self._text.strip()
            self._label = None
        elif tag == "button" and self._button is not None:
            form.buttons.append({**self._button, "text": self._text.strip()})
            self._button = None


def _forms_of(page: str) -> list[_Form]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def _form(page: str, action: str) -> _Form:
    found = [f for f in _forms_of(page) if f.action == action]
    assert len(found) == 1, action
    return found[0]


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"partnerships:{name}", kwargs={"slug": "alpha", **kwargs})


def _assert_usable(form: _Form) -> None:
    """A CSRF token, and a label tied to every control a person fills in."""
    assert form.fields.get("csrfmiddlewaretoken")
    for control in form.controls:
        if control.get("type") in {"hidden", "submit"}:
            continue
        assert control.get("id") in form.labels, control
        assert form.labels[control["id"]], control


def test_the_checklist_as_drawn_posts_back_and_saves(client_a: Client, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a, stage=Stage.AGREEMENT)
    page = client_a.get(url("partnership_detail", pk=p.pk)).content.decode()
    form = _form(page, url("partnership_agreement", pk=p.pk))
    _assert_usable(form)
    statuses = [str(v) for v in AgreementPoint.Status.values]
    for point in ChecklistPoint.values:
        # Every status offered, the current one selected, and a text.
        assert [v for v, _label in form.options[f"{point}_status"]] == statuses
        assert form.fields[f"{point}_status"] == AgreementPoint.Status.NOT_DISCUSSED
        assert form.fields[f"{point}_text"] == ""
    assert form.fields["signed_on"] == "" and form.fields["expires_on"] == ""
    data = dict(form.fields)
    for point in ChecklistPoint.values:
        data[f"{point}_status"] = AgreementPoint.Status.AGREED
    data["roles_text"] = f"Both write {SCRIPT}"
    data["signed_on"] = "2026-03-01"
    response = client_a.post(form.action, data)
    assert response.status_code == 302
    assert {ap.point: ap.status for ap in p.agreement_points.all()} == dict.fromkeys(
        ChecklistPoint.values, AgreementPoint.Status.AGREED
    )
    # Drawn again: what was saved is what the form shows, the text escaped.
    page = client_a.get(url("partnership_detail", pk=p.pk)).content.decode()
    assert SCRIPT not in page
    again = _form(page, url("partnership_agreement", pk=p.pk))
    assert again.fields["roles_text"] == f"Both write {SCRIPT}"
    assert again.fields["roles_status"] == AgreementPoint.Status.AGREED
    assert again.fields["signed_on"] == "2026-03-01"
    # Posting it unchanged saves the same.
    assert client_a.post(again.action, again.fields).status_code == 302
    assert p.agreement_points.get(point="roles").text == f"Both write {SCRIPT}"


def test_a_refused_checklist_shows_its_error_and_keeps_what_was_typed(
    client_a: Client, affiliate_a, member_a
):
    p = factories.partnership(affiliate_a, actor=member_a)
    form = _form(
        client_a.get(url("partnership_detail", pk=p.pk)).content.decode(),
        url("partnership_agreement", pk=p.pk),
    )
    data = {**form.fields, "signed_on": "2026-03-01", "expires_on": "2026-01-01"}
    data["money_text"] = "We pay"
    response = client_a.post(form.action, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot expire before it was signed" in page
    again = _form(page, form.action)
    assert again.fields["money_text"] == "We pay"
    assert again.fields["expires_on"] == "2026-01-01"


def test_the_stage_buttons_as_drawn_move_the_partnership(client_a: Client, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    page = client_a.get(url("partnership_detail", pk=p.pk)).content.decode()
    stage_forms = [f for f in _forms_of(page) if f.action == url("partnership_stage", pk=p.pk)]
    assert len(stage_forms) == 2  # the section's buttons and the jump form
    form, jump = stage_forms
    _assert_usable(form)
    forward = form.buttons[0]
    assert forward["name"] == "to_stage"
    response = client_a.post(
        form.action, {**form.fields, "to_stage": forward["value"], "reason": "Met them."}
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.stage == forward["value"]


def test_the_jump_form_as_drawn_jumps_with_a_reason(client_a: Client, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    page = client_a.get(url("partnership_detail", pk=p.pk)).content.decode()
    jump = [f for f in _forms_of(page) if f.action == url("partnership_stage", pk=p.pk)][1]
    _assert_usable(jump)
    assert jump.fields["jump"] == "True" and jump.fields["override"] == "True"
    assert [v for v, _label in jump.options["to_stage"]] == [str(s) for s in Stage.values]
    response = client_a.post(
        jump.action, {**jump.fields, "to_stage": Stage.NEGOTIATION, "reason": "Signed early."}
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.stage == Stage.NEGOTIATION


def test_the_upload_form_as_drawn_keeps_the_document(
    client_a: Client, affiliate_a, member_a, settings: Any, tmp_path: Path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    p = factories.partnership(affiliate_a, actor=member_a)
    page = client_a.get(url("partnership_detail", pk=p.pk)).content.decode()
    form = _form(page, url("document_upload", pk=p.pk))
    _assert_usable(form)
    assert form.attrs["enctype"] == "multipart/form-data"
    assert form.fields["kind"] == Document.Kind.AGREEMENT
    assert [v for v, _label in form.options["kind"]] == [str(k) for k in Document.Kind.values]
    data: dict[str, Any] = {**form.fields, "kind": Document.Kind.values[-1]}
    data["file"] = SimpleUploadedFile("Concept.pdf", factories.SMALL_PDF)
    response = client_a.post(form.action, data)
    assert response.status_code == 302
    document = Document.objects.get(partnership=p)
    assert (document.original_name, document.kind) == ("Concept.pdf", Document.Kind.values[-1])


@pytest.fixture
def _english_after() -> Any:
    """An Arabic request leaves Arabic active in the thread (tests/test_arabic.py): put the
    default back for the tests that follow."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_in_arabic_the_forms_are_translated_and_still_post(
    client_a: Client, affiliate_a, member_a, _english_after
):
    p = factories.partnership(affiliate_a, actor=member_a)
    client_a.post(reverse("set_language"), {"language": "ar", "next": "/"})
    html = client_a.get(url("partnership_detail", pk=p.pk)).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    form = _form(html, url("partnership_agreement", pk=p.pk))
    # The labels are not the English ones.
    assert "Status" not in form.labels.values()
    data = {**form.fields, "exit_status": AgreementPoint.Status.NOT_APPLICABLE}
    assert client_a.post(form.action, data).status_code == 302
    assert p.agreement_points.get(point="exit").status == AgreementPoint.Status.NOT_APPLICABLE
