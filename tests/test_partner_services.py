"""The partner services: validation, derived keys, audit events, merge and erasure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hub.core.models import AuditEvent
from hub.partners import services
from hub.partners.models import Contact, ContactEmail, Organisation
from tests import factories

pytestmark = pytest.mark.django_db


def test_create_derives_region_keys_and_audits(affiliate_a, member_a):
    org = services.create_organisation(
        actor=member_a,
        affiliate=affiliate_a,
        name="Národní muzeum",
        country="CZ",
        website="https://www.NM.cz/en",
        wikidata_qid="https://www.wikidata.org/wiki/Q188112",
        tags=["GLAM", "glam", " Museum "],
    )
    assert org.region == "ceeca"
    assert org.website_domain == "nm.cz"
    assert org.normalised_name == "narodni muzeum"
    assert org.wikidata_qid == "Q188112"
    assert sorted(t.name for t in org.tags.all()) == ["GLAM", "Museum"]
    event = AuditEvent.objects.get(target_id=org.pk, action="organisation.created")
    assert event.actor == member_a and event.changes["name"] == [None, "Národní muzeum"]


def test_region_override_is_kept(affiliate_a):
    org = factories.organisation(affiliate_a, country="US", region="global", region_overridden=True)
    assert org.region == "global"
    org = services.update_organisation(actor=None, organisation=org, region_overridden=False)
    assert org.region == "usca"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"wikidata_qid": "Q0"}, "is not a Wikidata item id"),
        ({"wikidata_qid": "L123"}, "is not a Wikidata item id"),
        ({"country": "XX"}, "not a valid choice"),
        ({"website": "javascript:alert(1)"}, "Enter a valid URL"),
        ({"name": ""}, "cannot be blank"),
        ({"name": "x" * 201}, "at most 200 characters"),
    ],
)
def test_create_refuses_bad_values_and_writes_nothing(affiliate_a, fields, message):
    with pytest.raises(ValidationError) as info:
        services.create_organisation(
            actor=None, affiliate=affiliate_a, **{"name": "Valid", **fields}
        )
    assert message in str(info.value)
    assert not Organisation.objects.exists()
    assert not AuditEvent.objects.exists()


def test_update_records_only_what_changed(affiliate_a, member_a):
    org = factories.organisation(affiliate_a, name="UNESCO", status="prospect")
    services.update_organisation(actor=member_a, organisation=org, status="active", name="UNESCO")
    event = AuditEvent.objects.get(action="organisation.updated")
    # A status changed by a person is set by hand: the partnerships no longer change it.
    assert event.changes == {"status": ["prospect", "active"], "status_overridden": [False, True]}
    services.update_organisation(actor=member_a, organisation=org, status="active")
    assert AuditEvent.objects.filter(action="organisation.updated").count() == 1


def test_contact_emails_are_normalised_and_indexed(affiliate_a):
    org = factories.organisation(affiliate_a)
    contact = services.create_contact(
        actor=None,
        affiliate=affiliate_a,
        organisation=org,
        name="Ana",
        emails=" Ana@Example.org ; ana@example.org, b@x.org",
    )
    assert contact.email_list == ["ana@example.org", "b@x.org"]
    assert set(ContactEmail.objects.values_list("email", flat=True)) == {
        "ana@example.org",
        "b@x.org",
    }
    org.refresh_from_db()
    assert "ana@example.org" in org.search_text


def test_contact_with_header_injection_email_is_refused(affiliate_a):
    with pytest.raises(ValidationError):
        services.create_contact(
            actor=None,
            affiliate=affiliate_a,
            name="Eve",
            emails="eve@example.org\r\nBcc: all@example.org",
        )
    assert not Contact.objects.exists()


def test_contact_cannot_point_at_another_affiliates_organisation(affiliate_a, affiliate_b):
    org_b = factories.organisation(affiliate_b)
    with pytest.raises(ValidationError):
        services.create_contact(actor=None, affiliate=affiliate_a, name="X", organisation=org_b)
    assert not Contact.objects.exists()


def test_interaction_people_must_belong_to_the_affiliate(affiliate_a, member_b):
    org = factories.organisation(affiliate_a)
    with pytest.raises(ValidationError):
        services.log_interaction(
            actor=None,
            organisation=org,
            date=dt.date(2026, 1, 1),
            kind="call",
            summary="x",
            users=[member_b],
        )


def test_merge_refuses_self_and_other_affiliate(affiliate_a, affiliate_b):
    a = factories.organisation(affiliate_a)
    b = factories.organisation(affiliate_b)
    with pytest.raises(ValidationError):
        services.merge_organisations(actor=None, keep=a, duplicate=a)
    with pytest.raises(ValidationError):
        services.merge_organisations(actor=None, keep=a, duplicate=b)


def test_erase_contact_leaves_no_personal_trace(affiliate_a, member_a):
    org = factories.organisation(affiliate_a)
    contact = factories.contact(
        org, actor=member_a, name="Zofia Private", emails="zofia@private.example", phone="+48 123"
    )
    services.update_contact(actor=member_a, contact=contact, role="Curator")
    services.erase_contact(actor=member_a, contact=contact)
    assert not Contact.objects.exists() and not ContactEmail.objects.exists()
    for event in AuditEvent.objects.all():
        text = f"{event.target_repr} {event.changes}"
        assert "Zofia" not in text and "zofia@" not in text and "+48" not in text
    assert AuditEvent.objects.filter(action="contact.erased").count() == 1
