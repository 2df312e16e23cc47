"""Test the demo data loader."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from hub.core.models import Affiliate, Membership, User
from hub.core.regions import region_for_country
from hub.demo.partners import (
    DEMO_AFFILIATES,
    DEMO_PASSWORD,
    DEMO_TAG,
    HUB_STAFF_USERNAME,
    DemoContact,
    load_demo,
)
from hub.demo.records import build
from hub.partners.models import Contact, ContactEmail, Interaction, Organisation

TODAY = dt.date(2026, 11, 20)

# The pairs the issue names: affiliate short name -> organisation names (or other names).
NAMED_PAIRS = {
    "morocco": ["IRCAM", "Reading Network in Morocco", "Embassy of Sweden in Rabat"],
    "chile": ["SERNATUR", "National Cultural Heritage Service", "ECLAC", "CEPAL"],
    "poland": ["Polish National Museum"],
    "argentina": ["UNESCO"],
    "germany": ["Serlo"],
    "ukraine": ["Embassy of Sweden in Kyiv", "UNFPA Ukraine", "National Democratic Institute"],
    "wikiedu": ["American Chemical Society", "Smithsonian Institution"],
}


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db: None, fast_passwords: None) -> Any:
    return load_demo(today=TODAY)


def _names(org: Organisation) -> set[str]:
    return {org.name, *org.other_names_list}


def test_load_demo_creates_the_named_affiliates_and_partners(demo: Any) -> None:
    for slug, wanted in NAMED_PAIRS.items():
        affiliate = Affiliate.objects.get(slug=slug)
        names = set().union(*(_names(o) for o in affiliate.organisations.all()))
        assert set(wanted) <= names, slug
    assert Affiliate.objects.count() >= 30
    assert Affiliate.objects.filter(slug="morocco", kind=Affiliate.Kind.USER_GROUP).exists()


def test_load_demo_marks_everything_as_demo_data(demo: Any) -> None:
    assert not Affiliate.objects.filter(is_demo=False).exists()
    for org in Organisation.objects.prefetch_related("tags"):
        assert DEMO_TAG in {t.name for t in org.tags.all()}, org
        assert "Demo data" in org.description, org
    assert all(c.main_email.endswith("@example.org") for c in Contact.objects.all())


def test_load_demo_goes_through_the_services(demo: Any) -> None:
    ircam = Organisation.objects.get(name="Royal Institute of Amazigh Culture")
    assert ircam.region == region_for_country("MA")
    assert ircam.website_domain == "ircam.ma"
    assert "ircam" in ircam.search_text
    assert "fulan ben fulan" in ircam.search_text
    assert ContactEmail.objects.filter(email="fulan.benfulan@example.org").exists()
    unesco = Organisation.objects.get(name="UNESCO")
    assert (unesco.region, unesco.region_overridden) == ("global", True)
    assert unesco.wikidata_qid == "Q7809"


def test_load_demo_dates_follow_ups_relative_to_today(demo: Any) -> None:
    follow_ups = Interaction.objects.exclude(follow_up_on=None)
    assert follow_ups.filter(follow_up_on__lt=TODAY).exists()
    assert follow_ups.filter(
        follow_up_on__gte=TODAY, follow_up_on__lte=TODAY + dt.timedelta(days=7)
    ).exists()
    assert not Interaction.objects.filter(date__gt=TODAY).exists()


def test_load_demo_is_idempotent(demo: Any) -> None:
    models = (Affiliate, User, Membership, Organisation, Contact, Interaction, ContactEmail)
    before = {m.__name__: m.objects.count() for m in models}
    again = load_demo(today=TODAY + dt.timedelta(days=3))
    after = {m.__name__: m.objects.count() for m in models}
    assert after == before
    assert not again.created_anything
    assert again.logins == demo.logins
    assert demo.organisations == before["Organisation"]


def test_demo_logins_work(demo: Any) -> None:
    usernames = {login.username for login in demo.logins}
    assert {"chile", "morocco", "viewer", HUB_STAFF_USERNAME} <= usernames
    for login in demo.logins:
        assert login.password == DEMO_PASSWORD
        assert Client().login(username=login.username, password=login.password), login
    assert User.objects.get(username=HUB_STAFF_USERNAME).is_hub_staff
    viewer = Membership.objects.get(user__username="viewer")
    assert (viewer.affiliate.slug, viewer.role) == ("chile", Membership.Role.VIEWER)
    manager = Membership.objects.get(user__username="chile")
    assert manager.role == Membership.Role.MANAGER


def test_chile_manager_sees_only_chiles_partners(demo: Any) -> None:
    membership = Membership.objects.get(user__username="chile")
    visible = Organisation.objects.filter(affiliate=membership.affiliate)
    names = set().union(*(_names(o) for o in visible))
    assert {"SERNATUR", "ECLAC", "National Cultural Heritage Service"} <= names
    assert not {"UNESCO", "IRCAM", "Serlo", "Smithsonian Institution"} & names
    assert visible.count() < Organisation.objects.count()


def test_load_demo_command_prints_the_logins(db: None, fast_passwords: None) -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "chile" in text and DEMO_PASSWORD in text and "Wikimedia Chile" in text
    assert "Manager" in text and "Hub staff" in text
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "nothing new" in out.getvalue()


def test_demo_data_has_no_invented_wikidata_ids() -> None:
    # Only items checked by hand may carry a QID; the rest stay blank.
    checked = {"Q180", "Q7809", "Q8288", "Q7164", "Q131626", "Q247556"}
    qids = {a.wikidata_qid for a in DEMO_AFFILIATES} | {
        o.wikidata_qid for a in DEMO_AFFILIATES for o in a.organisations
    }
    assert qids - {""} <= checked


def test_load_demo_leaves_a_real_account_with_a_demo_name_alone(
    db: None, fast_passwords: None
) -> None:
    real = User.objects.create_user(username="chile", email="someone@wikimedia.cl")
    summary = load_demo(today=TODAY)
    assert not real.memberships.exists()
    assert "chile" not in {login.username for login in summary.logins}


def test_demo_data_files_refuse_a_field_the_records_do_not_have() -> None:
    # A typo in hub/demo/data/*.json must fail loudly, not load a partner without its city.
    with pytest.raises(TypeError):
        build(DemoContact, {"name": "Ana", "email": "ana@example.org", "rol": "Curator"})
    contact = build(DemoContact, {"name": "Ana", "email": "ana@example.org", "role": "Curator"})
    assert contact.role == "Curator"
