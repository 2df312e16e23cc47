"""The partner portal: its link, its page, the partner's corrections and their approval."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hub.core.models import AuditEvent
from hub.partners.models import Contact
from hub.partnerships.models import Partnership, PartnershipPartner
from hub.surveys.models import ChangeRequest, PortalLink
from hub.surveys.portal import portal_url_for, selectors, services
from hub.surveys.portal.tokens import SALT, PortalRefused, open_portal, portal_token
from tests import factories

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def partner(affiliate_a: Any, member_a: Any) -> dict[str, Any]:
    org = factories.organisation(affiliate_a, actor=member_a, name="Museo Partner", city="Lund")
    contact = factories.contact(org, actor=member_a, name="Ada Curator", emails="ada@museo.example")
    partnership = factories.partnership(
        affiliate_a,
        actor=member_a,
        title="Museo on Commons",
        partners=[(org, "main")],
        stage="active",
    )
    partnership.responsible.add(member_a)
    link = services.create_portal_link(actor=member_a, organisation=org)
    return {
        "org": org,
        "contact": contact,
        "partnership": partnership,
        "link": link,
        "token": portal_token(link),
    }


def _url(name: str, token: str, **kwargs: Any) -> str:
    return reverse(f"surveys:{name}", kwargs={"token": token, **kwargs})


# The link -----------------------------------------------------------------------------------


def test_a_new_link_withdraws_the_one_before(partner, member_a):
    first = partner["link"]
    second = services.create_portal_link(actor=member_a, organisation=partner["org"], days=30)
    first.refresh_from_db()
    assert first.revoked_at is not None
    with pytest.raises(PortalRefused) as refused:
        open_portal(portal_token(first))
    assert refused.value.gone
    assert open_portal(portal_token(second)) == second
    assert PortalLink.objects.filter(organisation=partner["org"], revoked_at=None).count() == 1
    assert AuditEvent.objects.filter(action="portal.link_created").count() == 2


def test_link_lifetime_is_checked(partner, member_a):
    for days in (0, 367):
        with pytest.raises(ValidationError):
            services.create_portal_link(actor=member_a, organisation=partner["org"], days=days)


def test_portal_url_for_gives_the_link_in_force_or_nothing(partner, member_a):
    assert portal_url_for(partner["org"]).endswith(_url("portal", partner["token"]))
    services.revoke_portal_link(actor=member_a, link=partner["link"])
    assert portal_url_for(partner["org"]) == ""


@pytest.mark.parametrize("method", ["get", "post"])
def test_forged_links_show_nothing(partner, method):
    token = partner["token"]
    other = PortalLink.objects.create(
        affiliate=partner["link"].affiliate,
        organisation=partner["org"],
        key="k",
        expires_at=partner["link"].expires_at,
        revoked_at=partner["link"].expires_at,
    )
    value, signature = token.rsplit(":", 1)
    forged = [
        "x",
        token[:-3] + "abc",  # the signature changed
        portal_token(other).rsplit(":", 1)[0] + ":" + signature,  # another link, same signature
        "a" * 400,
    ]
    for bad in forged:
        for name, extra in [
            ("portal", {}),
            ("portal_organisation", {}),
            ("portal_contact", {"pk": partner["contact"].pk}),
        ]:
            response = getattr(Client(), method)(_url(name, bad, **extra))
            assert response.status_code == 404, (bad, name)
            assert b"Museo" not in response.content
            assert b"not valid" in response.content
    assert value  # the genuine token still opens
    assert Client().get(_url("portal", token)).status_code == 200


def test_expired_link_says_so_and_shows_nothing(partner):
    later = partner["link"].expires_at + dt.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        response = Client().get(_url("portal", partner["token"]))
    assert response.status_code == 410
    assert b"expired" in response.content
    assert b"Museo on Commons" not in response.content and b"Ada Curator" not in response.content


def test_withdrawn_link_says_so_and_accepts_no_correction(partner, member_a):
    services.revoke_portal_link(actor=member_a, link=partner["link"])
    client = Client()
    response = client.get(_url("portal", partner["token"]))
    assert response.status_code == 410 and b"withdrawn" in response.content
    response = client.post(_url("portal_organisation", partner["token"]), {"name": "Hijacked"})
    assert response.status_code == 410
    assert not ChangeRequest.objects.exists()


def test_member_creates_and_withdraws_the_link_from_the_organisation_page(
    affiliate_a, member_a, client_a
):
    org = factories.organisation(affiliate_a, actor=member_a, name="Biblioteca")
    page = reverse("partners:organisation_detail", kwargs={"slug": "alpha", "pk": org.pk})
    assert b"No portal link in force" in client_a.get(page).content
    create = reverse("surveys:portal_link_create", kwargs={"slug": "alpha", "pk": org.pk})
    client_a.post(create, {"days": "30"})
    link = PortalLink.objects.get(organisation=org)
    content = client_a.get(page).content.decode()
    assert portal_token(link) in content
    client_a.post(reverse("surveys:portal_link_revoke", kwargs={"slug": "alpha", "pk": org.pk}))
    link.refresh_from_db()
    assert link.revoked_at is not None
    # The organisation's timeline says it in words, not as the event's code.
    timeline = client_a.get(page).content.decode()
    assert "made a partner portal link" in timeline
    # The day the link stops, as the page says it, without a clock time.
    assert f"→ {timezone.localdate(link.expires_at):%Y-%m-%d}</li>" in timeline
    assert "withdrew the partner portal link" in timeline
    assert "portal.link_" not in timeline
    assert Client().get(_url("portal", portal_token(link))).status_code == 410


def test_viewer_cannot_create_a_link(affiliate_a, viewer_a, partner):
    client = Client()
    client.force_login(viewer_a)
    url = reverse("surveys:portal_link_create", kwargs={"slug": "alpha", "pk": partner["org"].pk})
    assert client.post(url, {"days": "30"}).status_code == 403


# The page -----------------------------------------------------------------------------------


def test_portal_shows_partnerships_documents_activities_and_people(
    partner, affiliate_a, member_a, media
):
    from hub.partnerships import services as partnership_services
    from hub.partnerships.activities import services as activities

    partnership = partner["partnership"]
    shared = factories.document(partnership, actor=member_a, name="shared-report.pdf")
    factories.document(partnership, actor=member_a, name="internal-budget.pdf")
    partnership_services.share_document(actor=member_a, document=shared, shared=True)
    soon = timezone.localdate() + dt.timedelta(days=10)
    activities.create_activity(
        actor=member_a, partnership=partnership, kind="meeting", title="Edit-a-thon", starts_on=soon
    )
    idea = factories.partnership(
        affiliate_a, actor=member_a, title="Secret idea", partners=[(partner["org"], "main")]
    )
    assert idea.stage == "idea"
    response = Client().get(_url("portal", partner["token"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Museo on Commons" in body
    assert "shared-report.pdf" in body and "internal-budget.pdf" not in body
    assert "Edit-a-thon" in body
    assert "Ada Curator" in body
    assert member_a.email in body  # who to contact at the affiliate
    assert "Secret idea" not in body
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
    download = Client().get(_url("portal_document", partner["token"], pk=shared.pk))
    assert download.status_code == 200
    hidden = factories.document(partnership, actor=member_a, name="other.pdf")
    assert Client().get(_url("portal_document", partner["token"], pk=hidden.pk)).status_code == 404


def test_portal_shows_nothing_of_another_organisation_or_affiliate(
    partner, affiliate_a, affiliate_b, member_a, member_b
):
    other = factories.organisation(affiliate_a, actor=member_a, name="Other Archive")
    factories.contact(other, actor=member_a, name="Otto Other")
    factories.partnership(
        affiliate_a,
        actor=member_a,
        title="Other partnership",
        partners=[(other, "main")],
        stage="active",
    )
    beta_org = factories.organisation(affiliate_b, actor=member_b, name="Beta Partner")
    factories.contact(beta_org, actor=member_b, name="Beatrix Beta")
    body = Client().get(_url("portal", partner["token"])).content.decode()
    for text in ("Other Archive", "Otto Other", "Other partnership", "Beta Partner", "Beatrix"):
        assert text not in body


def test_portal_page_reads_a_fixed_number_of_queries(
    partner, affiliate_a, member_a, django_assert_max_num_queries
):
    for n in range(5):
        factories.contact(partner["org"], actor=member_a, name=f"Extra {n}")
        factories.partnership(
            affiliate_a, actor=member_a, partners=[(partner["org"], "main")], stage="active"
        )
    with django_assert_max_num_queries(4):
        page = selectors.portal_page(partner["link"])
        assert len(page.contacts) == 6 and len(page.partnerships) == 6


def _read(instance: Any) -> list[tuple[str, type, Any]]:
    """Return the fields an instance read, with each value's type (aware datetimes, dates)."""
    deferred = instance.get_deferred_fields()
    return [
        (f.attname, type(getattr(instance, f.attname)), getattr(instance, f.attname))
        for f in type(instance)._meta.concrete_fields
        if f.attname not in deferred
    ]


def test_the_link_is_read_as_the_orm_reads_it(partner, django_assert_num_queries):
    # open_portal's statement is written out (hub.core.sqlrows): it must read what
    # select_related("affiliate", "organisation") reads, on both databases.
    with django_assert_num_queries(1):
        link = open_portal(partner["token"])
        names = (link.affiliate.name, link.organisation.name)
    expected = PortalLink.objects.select_related("affiliate", "organisation").get(pk=link.pk)
    assert names == (expected.affiliate.name, expected.organisation.name)
    assert _read(link) == _read(expected)
    assert _read(link.affiliate) == _read(expected.affiliate)
    assert _read(link.organisation) == _read(expected.organisation)
    assert timezone.is_aware(link.expires_at) and timezone.is_aware(link.created_at)
    # Signed by us but with another key: never ours.
    wrong = signing.Signer(salt=SALT).sign_object([link.pk, "not-the-key"])
    with pytest.raises(PortalRefused) as refused:
        open_portal(wrong)
    assert not refused.value.gone


def test_the_partnerships_read_are_portal_partnerships(
    partner, affiliate_a, affiliate_b, member_a, member_b
):
    # The portal reads the partnerships a partner may see with a written-out statement
    # (selectors.visible_partnerships); it must give portal_partnerships' rows, in its order,
    # with the same fields read.
    org, day = partner["org"], dt.date(2026, 3, 1)
    other = factories.organisation(affiliate_a, actor=member_a, name="Other Archive")
    for title, stage, start in (
        ("Beta, same day", "active", day),
        ("Alpha, same day", "agreement", day),
        ("No start yet", "negotiation", None),
        ("Later", "ended", day + dt.timedelta(days=40)),
        ("An idea", "idea", day),
        ("Archived", "active", day),
    ):
        p = factories.partnership(
            affiliate_a,
            actor=member_a,
            title=title,
            partners=[(org, "main"), (other, "co_partner")],
            stage=stage,
            start_date=start,
        )
        if title == "Archived":
            Partnership.objects.filter(pk=p.pk).update(archived_at=timezone.now())
    factories.partnership(
        affiliate_a, actor=member_a, title="Not ours", partners=[(other, "main")], stage="active"
    )
    # A row that breaks tenancy (another affiliate's partnership naming this organisation) must
    # not show either.
    beta = factories.partnership(affiliate_b, actor=member_b, title="Beta's", stage="active")
    PartnershipPartner.objects.create(partnership=beta, organisation=org)
    link = partner["link"]
    expected = list(selectors.portal_partnerships(link.affiliate, link.organisation))
    found = selectors.visible_partnerships(link)
    assert [p.title for p in found] == [p.title for p in expected]
    assert len(found) == 5  # the fixture's, the two of the same day, the later, no start yet
    assert [_read(p) for p in found] == [_read(p) for p in expected]
    assert [p.get_deferred_fields() for p in found] == [p.get_deferred_fields() for p in expected]


def test_script_in_every_field_is_shown_as_text(affiliate_a, member_a):
    org = factories.organisation(affiliate_a, actor=member_a, name=SCRIPT, city=SCRIPT)
    factories.contact(org, actor=member_a, name=SCRIPT, role=SCRIPT)
    factories.partnership(
        affiliate_a, actor=member_a, title=SCRIPT, partners=[(org, "main")], stage="active"
    )
    link = services.create_portal_link(actor=member_a, organisation=org)
    body = Client().get(_url("portal", portal_token(link))).content.decode()
    assert SCRIPT not in body
    assert "&lt;script&gt;" in body


def test_script_in_documents_activities_and_people_is_shown_as_text(partner, member_a, media):
    from hub.partnerships import services as partnership_services
    from hub.partnerships.activities import services as activities

    partnership = partner["partnership"]
    member_a.first_name = SCRIPT
    member_a.save()
    document = factories.document(partnership, actor=member_a, name="x.pdf")
    partnership_services.share_document(actor=member_a, document=document, shared=True)
    type(document).objects.filter(pk=document.pk).update(original_name=SCRIPT)
    activities.create_activity(
        actor=member_a,
        partnership=partnership,
        kind="meeting",
        title=SCRIPT,
        place=SCRIPT,
        starts_on=timezone.localdate() + dt.timedelta(days=3),
    )
    body = Client().get(_url("portal", partner["token"])).content.decode()
    assert SCRIPT not in body
    assert body.count("&lt;script&gt;") >= 4


# Corrections --------------------------------------------------------------------------------


def test_partner_corrects_a_contact_and_the_coordinator_approves(partner, client_a):
    contact = partner["contact"]
    client = Client()
    url = _url("portal_contact", partner["token"], pk=contact.pk)
    form = client.get(url)
    assert b"ada@museo.example" in form.content
    response = client.post(
        url,
        {
            "name": "Ada Curator",
            "role": "Head of collections",
            "emails": "ada.curator@museo.example",
            "phone": "+46 123",
            "preferred_language": "",
        },
        follow=True,
    )
    assert b"will check your correction" in response.content
    contact.refresh_from_db()
    assert contact.role == "" and contact.main_email == "ada@museo.example"  # not yet
    change = ChangeRequest.objects.get()
    assert set(change.changes) == {"role", "emails", "phone"}
    queue = client_a.get(reverse("surveys:change_list", kwargs={"slug": "alpha"}))
    assert b"Head of collections" in queue.content
    # Each changed field is named in words, as the partner saw it, not by its code.
    assert '<th scope="row">E-mail addresses</th>' in queue.content.decode()
    assert '<th scope="row">emails</th>' not in queue.content.decode()
    client_a.post(
        reverse("surveys:change_decide", kwargs={"slug": "alpha", "pk": change.pk}),
        {"decision": "approve"},
    )
    contact.refresh_from_db()
    assert contact.role == "Head of collections"
    assert contact.main_email == "ada.curator@museo.example"
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPROVED
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"portal.change_requested", "portal.change_approved", "contact.updated"} <= actions


def test_rejected_correction_changes_nothing_and_is_audited(partner, member_a):
    change = services.request_change(
        link=partner["link"], values={"city": "Malmö"}, note="We moved"
    )
    services.reject_change(actor=member_a, change=change)
    partner["org"].refresh_from_db()
    assert partner["org"].city == "Lund"
    assert AuditEvent.objects.filter(action="portal.change_rejected").exists()
    with pytest.raises(ValidationError):
        services.approve_change(actor=member_a, change=change)  # decided already


def test_partner_cannot_touch_fields_it_may_not(partner, affiliate_b, member_b, client_a):
    beta_org = factories.organisation(affiliate_b, actor=member_b, name="Beta Partner")
    contact = partner["contact"]
    client = Client()
    client.post(
        _url("portal_contact", partner["token"], pk=contact.pk),
        {
            "name": "Ada Curator",
            "role": "Director",
            "emails": "ada@museo.example",
            "organisation": beta_org.pk,
            "affiliate": affiliate_b.pk,
            "legal_basis": "consent",
            "do_not_contact": "on",
            "notes": "owned",
        },
    )
    client.post(
        _url("portal_organisation", partner["token"]),
        {
            "name": "Museo Partner",
            "city": "Lund",
            "affiliate": affiliate_b.pk,
            "status": "former",
            "notes": "x",
        },
    )
    change = ChangeRequest.objects.get()
    assert set(change.changes) == {"role"}
    services.approve_change(actor=partner["link"].created_by, change=change)
    contact.refresh_from_db()
    assert contact.organisation == partner["org"] and contact.affiliate == partner["org"].affiliate
    assert contact.legal_basis == "legitimate_interest" and not contact.do_not_contact
    assert contact.notes == ""
    # The service refuses what the form never offers, too.
    with pytest.raises(ValidationError):
        services.request_change(link=partner["link"], values={"status": "former"})


def test_partner_cannot_correct_another_organisations_contact(
    partner, affiliate_a, member_a, affiliate_b, member_b
):
    other = factories.contact(
        factories.organisation(affiliate_a, actor=member_a, name="Other Archive"), actor=member_a
    )
    beta = factories.contact(factories.organisation(affiliate_b, actor=member_b), actor=member_b)
    for target in (other, beta):
        url = _url("portal_contact", partner["token"], pk=target.pk)
        assert Client().get(url).status_code == 404
        assert Client().post(url, {"name": "Changed"}).status_code == 404
        with pytest.raises(ValidationError):
            services.request_change(link=partner["link"], contact=target, values={"name": "X"})
    assert not ChangeRequest.objects.exists()


def test_email_with_a_line_break_gets_a_clear_message_and_loses_nothing(partner):
    url = _url("portal_contact", partner["token"], pk=partner["contact"].pk)
    response = Client().post(
        url,
        {
            "name": "Ada Curator",
            "role": "Keeper",
            "emails": "ada@museo.example\r\nBcc: x@evil.example",
        },
    )
    assert response.status_code == 200
    assert b"not a valid e-mail address" in response.content
    assert b"Keeper" in response.content  # what was typed stays in the form
    assert not ChangeRequest.objects.exists()


def test_bad_values_are_refused_in_the_partners_words(partner):
    response = Client().post(
        _url("portal_organisation", partner["token"]),
        {"name": "", "website": "not a site", "city": "x" * 101},
    )
    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert not ChangeRequest.objects.exists()
    response = Client().post(
        _url("portal_organisation", partner["token"]), {"name": "Museo Partner", "city": "Lund"}
    )
    assert b"Nothing was changed" in response.content


def test_script_in_a_correction_is_shown_as_text_to_the_coordinator(partner, client_a):
    services.request_change(link=partner["link"], values={"description": SCRIPT}, note=SCRIPT)
    body = client_a.get(reverse("surveys:change_list", kwargs={"slug": "alpha"})).content.decode()
    assert SCRIPT not in body and "&lt;script&gt;" in body


def test_too_many_waiting_corrections_are_refused(partner, settings):
    for n in range(services.MAX_PENDING):
        services.request_change(link=partner["link"], values={"city": f"City {n}"})
    with pytest.raises(ValidationError):
        services.request_change(link=partner["link"], values={"city": "One more"})


def test_my_work_says_how_many_corrections_wait_and_links_to_them(
    partner, client_a, client_b, affiliate_b, member_a
):
    my_work = reverse("partners:my_work", kwargs={"slug": "alpha"})
    changes = reverse("surveys:change_list", kwargs={"slug": "alpha"})
    assert "correction" not in client_a.get(my_work).content.decode()
    services.request_change(link=partner["link"], values={"city": "Malmö"})
    body = client_a.get(my_work).content.decode()
    assert "1 correction from a partner waits for approval" in body
    assert f'href="{changes}"' in body
    services.request_change(link=partner["link"], values={"city": "Ystad"})
    assert "2 corrections from partners wait for approval" in client_a.get(my_work).content.decode()
    # Another affiliate's coordinator is not told about them.
    other = client_b.get(reverse("partners:my_work", kwargs={"slug": "beta"})).content.decode()
    assert "correction" not in other
    # Once decided, nothing waits and My work says nothing.
    for change in ChangeRequest.objects.all():
        services.reject_change(actor=member_a, change=change)
    assert "correction" not in client_a.get(my_work).content.decode()


def test_my_works_corrections_are_counted_in_one_query(
    partner, member_a, django_assert_num_queries
):
    from hub.surveys.portal.sections import my_work_changes_section

    services.request_change(link=partner["link"], values={"city": "Malmö"})
    with django_assert_num_queries(1):
        section = my_work_changes_section(partner["org"].affiliate, member_a, timezone.localdate())
    assert section.context["pending"] == 1


def test_another_affiliate_cannot_decide_a_correction(partner, client_b):
    change = services.request_change(link=partner["link"], values={"city": "Malmö"})
    url = reverse("surveys:change_decide", kwargs={"slug": "beta", "pk": change.pk})
    assert client_b.post(url, {"decision": "approve"}).status_code == 404
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.PENDING


def test_personal_data_in_corrections_is_found_and_scrubbed(partner, member_a):
    from hub.core.erasure import Person, scrub_everywhere
    from hub.core.personal_data import find_everywhere

    services.request_change(
        link=partner["link"], values={"description": "Ask Bea Keeper, bea@museo.example"}
    )
    person = Person(
        affiliate=partner["org"].affiliate, names=("Bea Keeper",), emails=("bea@museo.example",)
    )
    found = [f for f in find_everywhere(person) if "partner portal" in f.kind]
    assert len(found) == 1
    scrub_everywhere(person)
    change = ChangeRequest.objects.get()
    assert "Bea Keeper" not in str(change.changes) and "bea@museo" not in str(change.changes)


def test_erasing_a_contact_removes_its_corrections(partner, member_a):
    from hub.partners import services as partners

    services.request_change(
        link=partner["link"], contact=partner["contact"], values={"phone": "+46 555"}
    )
    partners.erase_contact(actor=member_a, contact=partner["contact"])
    assert not ChangeRequest.objects.exists()
    assert not Contact.objects.filter(pk=partner["contact"].pk).exists()


def test_member_shares_a_document_with_the_partner_from_the_partnership_page(
    partner, member_a, client_a, viewer_a, media
):
    document = factories.document(partner["partnership"], actor=member_a, name="photos.pdf")
    url = reverse("partnerships:document_share", kwargs={"slug": "alpha", "pk": document.pk})
    viewer = Client()
    viewer.force_login(viewer_a)
    assert viewer.post(url, {"shared": "1"}).status_code == 403
    detail = reverse(
        "partnerships:partnership_detail", kwargs={"slug": "alpha", "pk": partner["partnership"].pk}
    )
    assert b"Share photos.pdf with the partner" in client_a.get(detail).content
    client_a.post(url, {"shared": "1"})
    document.refresh_from_db()
    assert document.shared_with_partner
    assert b"photos.pdf" in Client().get(_url("portal", partner["token"])).content
    client_a.post(url, {"shared": "0"})
    document.refresh_from_db()
    assert not document.shared_with_partner
    assert (
        Client().get(_url("portal_document", partner["token"], pk=document.pk)).status_code == 404
    )
    assert AuditEvent.objects.filter(action="partnership.document_unshared").exists()


def test_portal_report_page_shows_the_partners_impact(partner):
    response = Client().get(_url("portal_report", partner["token"]))
    assert response.status_code == 200
    assert b"Impact report: Museo Partner" in response.content
    assert response["X-Robots-Tag"] == "noindex"


def test_the_portal_follows_every_change_and_forgets_an_erased_person(partner, member_a):
    from hub.partners import services as partners

    client = Client()
    assert b"Ada Curator" in client.get(_url("portal", partner["token"])).content
    partners.update_contact(actor=member_a, contact=partner["contact"], role="Keeper of prints")
    assert b"Keeper of prints" in client.get(_url("portal", partner["token"])).content
    partners.erase_contact(actor=member_a, contact=partner["contact"])
    response = client.get(_url("portal", partner["token"]))  # the partner has nobody left
    assert response.status_code == 200
    assert b"Ada Curator" not in response.content
    assert b"Your people we keep in touch with" not in response.content


def test_erasure_drops_portal_pages_drawn_by_earlier_versions(partner, member_a):
    # Earlier versions kept the drawn page in the cache (with the people's names in it).
    from django.core.cache import cache

    from hub.partners import services as partners
    from hub.surveys.portal.erasure import drawn_portal_key

    key = drawn_portal_key(partner["link"].pk, "en")
    cache.set(key, {"stamp": "old", "body": "Ada Curator"}, 300)
    partners.erase_contact(actor=member_a, contact=partner["contact"])
    assert cache.get(key) is None


def test_portal_shows_only_what_each_section_may_show(partner, affiliate_a, member_a, media):
    from hub.core.models import User
    from hub.partnerships.activities import services as activities

    partnership = partner["partnership"]
    today = timezone.localdate()
    for title, days in (("Last week", -7), ("Next month", 30), ("Next year", 400)):
        activities.create_activity(
            actor=member_a,
            partnership=partnership,
            kind="meeting",
            title=title,
            starts_on=today + dt.timedelta(days=days),
            place="Lund library",
        )
    gone = User.objects.create_user(username="gone", email="gone@alpha.example", is_active=False)
    partnership.responsible.add(gone)
    archived = factories.contact(partner["org"], actor=member_a, name="Archie Archived")
    Contact.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    factories.contact(
        partner["org"], actor=member_a, name="Bea Second", emails="\nbea@museo.example"
    )
    services.request_change(link=partner["link"], contact=partner["contact"], values={"role": "X"})
    body = Client().get(_url("portal", partner["token"])).content.decode()
    assert "Next month" in body and "Lund library" in body
    assert "Last week" not in body and "Next year" not in body
    assert "gone@alpha.example" not in body
    assert "Archie Archived" not in body
    assert body.index("Ada Curator") < body.index("Bea Second")
    assert "bea@museo.example" in body  # the first address, past a blank line
    assert "1 correction is waiting for approval." in body
    assert "No figures yet." in body


def test_portal_shows_impact_figures_as_soon_as_a_refresh_ends(
    partner, member_a, settings, monkeypatch
):
    from hub.impact import services as impact
    from hub.impact.models import ContentLink
    from hub.impact.refresh import run_refresh
    from hub.partnerships.slots import partnership_figures
    from tests import impact_source
    from tests.impact_source import CATEGORY, sample_world

    settings.HUB_IMPACT_SOURCE = "tests.impact_source.RecordedSource"
    settings.HUB_IMPACT_CIM_CATEGORIES = []
    monkeypatch.setattr(impact_source, "WORLD", sample_world())
    client = Client()
    assert "No figures yet." in client.get(_url("portal", partner["token"])).content.decode()
    link = impact.add_content_link(
        actor=member_a,
        partnership=partner["partnership"],
        kind=ContentLink.Kind.COMMONS_CATEGORY,
        target=CATEGORY,
        depth=1,
    )
    run_refresh(run_id=impact.request_refresh(actor=None, link=link).pk)
    body = client.get(_url("portal", partner["token"])).content.decode()
    assert "No figures yet." not in body
    assert "Impact of Museo on Commons" in body
    figures = partnership_figures([partner["partnership"]])[partner["partnership"].pk]
    assert len(figures) >= 2
    for figure in figures:  # as impact counts them, with thousands grouped
        assert f"<td>{figure.label}</td><td>{figure.value:,}</td>" in body
