"""The stage section of the partnership page: a guard said once, at the top, with what to do."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from hub.partnerships.models import Stage
from tests import factories

pytestmark = pytest.mark.django_db

GUARD = "every point of the agreement checklist is agreed"


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"partnerships:{name}", kwargs={"slug": "alpha", **kwargs})


def _button(page: str, label: str) -> str:
    match = re.search(rf"<button[^>]*>{label}</button>", page)
    assert match, label
    return match.group(0)


def test_the_checklist_guard_is_said_once_at_the_top_with_a_link_to_fix_it(
    client_a, affiliate_a, member_a
):
    p = factories.partnership(affiliate_a, actor=member_a, stage=Stage.AGREEMENT)
    page = client_a.get(url("partnership_detail", pk=p.pk)).content.decode()
    assert page.count(GUARD) == 1
    top = page.index(GUARD)
    assert top < page.index('id="summary-h"') < page.index('id="stage"')
    assert page.index('href="#agreement"', top) < page.index('id="summary-h"')
    # The blocked move is no longer the main action.
    assert 'class="secondary"' in _button(page, "Move on to Active")


def test_a_refusal_by_the_guard_is_said_once_at_the_top(client_a, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a, stage=Stage.AGREEMENT)
    response = client_a.post(url("partnership_stage", pk=p.pk), {"to_stage": "active"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count(GUARD) == 1
    assert page.index(GUARD) < page.index('id="summary-h"')
    assert 'id="stage-blocked" role="alert"' in page


def test_no_guard_no_notice(client_a, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    page = client_a.get(url("partnership_detail", pk=p.pk)).content.decode()
    assert "stage-blocked" not in page
    assert 'class="secondary"' not in _button(page, "Move on to First contact")


def test_missing_exit_notes_are_an_error_of_the_exit_notes_field(client_a, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    page = client_a.post(url("partnership_stage", pk=p.pk), {"to_stage": "ended"}).content.decode()
    error = re.search(r'<ul class="errorlist" id="id_exit_notes_error">(.*?)</ul>', page, re.S)
    assert error and "write exit notes" in error.group(1)
    assert 'aria-describedby="id_exit_notes_error' in page or 'aria-invalid="true"' in page


def test_a_jump_without_a_reason_is_an_error_of_the_jump_forms_reason(
    client_a, affiliate_a, member_a
):
    p = factories.partnership(affiliate_a, actor=member_a)
    page = client_a.post(
        url("partnership_stage", pk=p.pk),
        {"to_stage": "active", "override": "True", "jump": "True"},
    ).content.decode()
    error = re.search(r'<ul class="errorlist" id="id_jump_reason_error">(.*?)</ul>', page, re.S)
    assert error and "A partnership moves one stage at a time" in error.group(1)
    assert "<details open>" in page
    assert '<select name="to_stage" id="id_jump_to_stage"' in page
    p.refresh_from_db()
    assert p.stage == Stage.IDEA


def test_a_jump_with_a_reason_moves_the_partnership(client_a, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    page = client_a.get(url("partnership_detail", pk=p.pk)).content.decode()
    assert '<input type="hidden" name="override" value="True" id="id_jump_override">' in page
    response = client_a.post(
        url("partnership_stage", pk=p.pk),
        {"to_stage": "negotiation", "override": "True", "jump": "True", "reason": "Met twice."},
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.stage == Stage.NEGOTIATION
