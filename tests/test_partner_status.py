"""An organisation's status follows its partnerships, unless a person set it by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from hub.core.models import AuditEvent
from hub.partners import selectors
from hub.partners import services as partner_services
from hub.partners.models import Organisation
from hub.partnerships import services
from hub.partnerships.models import Stage
from tests import factories

pytestmark = pytest.mark.django_db
ACTIVE = Organisation.Status.ACTIVE
FORMER = Organisation.Status.FORMER
PROSPECT = Organisation.Status.PROSPECT


def _status(org: Organisation) -> str:
    org.refresh_from_db()
    return org.status


def _run(partnership: Any, actor: Any) -> None:
    """Walk a partnership to the active stage (the checklist guard overridden with a reason)."""
    for stage in (
        Stage.FIRST_CONTACT,
        Stage.CONCEPT_NOTE,
        Stage.NEGOTIATION,
        Stage.AGREEMENT,
        Stage.ACTIVE,
    ):
        services.advance_stage(
            actor=actor, partnership=partnership, to_stage=stage, override=True, reason="test"
        )


def _active_partners(affiliate: Any, user: Any) -> int:
    return selectors.my_work(affiliate, user, today=dt.date(2026, 11, 22)).counts["active"]


def test_a_partnership_becoming_active_makes_its_partners_active(client_a, affiliate_a, member_a):
    museum = factories.organisation(affiliate_a, name="Museum")
    p = factories.partnership(affiliate_a, actor=member_a, partners=[(museum, "main")])
    assert _status(museum) == PROSPECT and _active_partners(affiliate_a, member_a) == 0

    _run(p, member_a)

    assert _status(museum) == ACTIVE
    assert _active_partners(affiliate_a, member_a) == 1  # My work counts it as a partner
    my_work = client_a.get(reverse("partners:my_work", kwargs={"slug": "alpha"})).content
    assert b"<strong>1</strong>active partner</li>" in my_work
    event = AuditEvent.objects.get(action="organisation.status_followed")
    assert event.changes == {"status": [PROSPECT, ACTIVE]}
    assert event.actor == member_a and event.target_id == museum.pk


def test_an_organisation_becomes_a_former_partner_when_none_of_its_partnerships_runs(
    affiliate_a, member_a
):
    museum = factories.organisation(affiliate_a, name="Museum")
    first = factories.partnership(affiliate_a, actor=member_a, partners=[(museum, "main")])
    second = factories.partnership(affiliate_a, actor=member_a, partners=[(museum, "main")])
    _run(first, member_a)
    _run(second, member_a)

    services.advance_stage(
        actor=member_a, partnership=first, to_stage=Stage.ENDED, exit_notes="Done."
    )
    assert _status(museum) == ACTIVE  # the second one still runs

    services.archive_partnership(actor=member_a, partnership=second)
    assert _status(museum) == FORMER
    assert _active_partners(affiliate_a, member_a) == 0

    services.restore_partnership(actor=member_a, partnership=second)
    assert _status(museum) == ACTIVE


def test_joining_and_leaving_a_running_partnership_moves_the_status(affiliate_a, member_a):
    museum = factories.organisation(affiliate_a, name="Museum")
    library = factories.organisation(affiliate_a, name="Library")
    p = factories.partnership(affiliate_a, actor=member_a, partners=[(museum, "main")])
    _run(p, member_a)

    services.add_partner(actor=member_a, partnership=p, organisation=library, role="co_partner")
    assert _status(library) == ACTIVE

    services.remove_partner(actor=member_a, partnership=p, organisation=library)
    assert (_status(library), _status(museum)) == (FORMER, ACTIVE)


def test_a_partnership_created_running_makes_its_partners_active(affiliate_a, member_a):
    museum = factories.organisation(affiliate_a, name="Museum")
    factories.partnership(
        affiliate_a, actor=member_a, partners=[(museum, "main")], stage=Stage.REPORTING
    )
    assert _status(museum) == ACTIVE


def test_a_partnership_in_preparation_leaves_the_status_alone(affiliate_a, member_a):
    museum = factories.organisation(affiliate_a, name="Museum", status=ACTIVE)
    p = factories.partnership(affiliate_a, actor=member_a, partners=[(museum, "main")])
    services.advance_stage(actor=member_a, partnership=p, to_stage=Stage.FIRST_CONTACT)
    assert _status(museum) == ACTIVE
    assert not AuditEvent.objects.filter(action="organisation.status_followed").exists()


def test_a_status_set_by_hand_stays_until_handed_back(client_a, affiliate_a, member_a):
    museum = factories.organisation(affiliate_a, name="Museum")
    partner_services.update_organisation(actor=member_a, organisation=museum, status="dormant")
    museum.refresh_from_db()
    assert museum.status_overridden  # a person changed it
    p = factories.partnership(affiliate_a, actor=member_a, partners=[(museum, "main")])
    _run(p, member_a)
    assert _status(museum) == "dormant"

    page = reverse("partners:organisation_detail", kwargs={"slug": "alpha", "pk": museum.pk})
    html = client_a.get(page).content.decode()
    assert "set by hand" in html
    follow = reverse(
        "partnerships:organisation_status_follow", kwargs={"slug": "alpha", "pk": museum.pk}
    )
    assert f'action="{follow}"' in html

    response = client_a.post(follow)

    assert response["Location"] == page
    museum.refresh_from_db()
    assert (museum.status, museum.status_overridden) == (ACTIVE, False)
    event = AuditEvent.objects.filter(action="organisation.status_followed").get()
    assert event.changes == {"status": ["dormant", ACTIVE], "status_overridden": [True, False]}
    assert "The status follows the partnerships" in client_a.get(page).content.decode()


def test_a_viewer_cannot_hand_the_status_back(affiliate_a, member_a, viewer_a):
    from django.test import Client

    museum = factories.organisation(affiliate_a, name="Museum", status="dormant")
    partner_services.update_organisation(
        actor=member_a, organisation=museum, status_overridden=True
    )
    client = Client()
    client.force_login(viewer_a)
    follow = reverse(
        "partnerships:organisation_status_follow", kwargs={"slug": "alpha", "pk": museum.pk}
    )
    assert client.post(follow).status_code == 403
    museum.refresh_from_db()
    assert museum.status_overridden
