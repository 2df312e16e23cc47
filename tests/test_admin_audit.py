"""What hub staff change in the admin is audited like a change through the Hub's pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.forms import MultiWidget
from django.test import Client
from django.utils import timezone

from hub.core import audit
from hub.core.models import Affiliate, AuditEvent, Membership, User

pytestmark = pytest.mark.django_db


def form_data(page: Any) -> dict[str, Any]:
    """Return what the admin change page's form would post as it stands (with its inlines)."""
    context = page.context
    data: dict[str, Any] = {}
    form = context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or getattr(field, "disabled", False):
            continue
        if isinstance(field.widget, MultiWidget):  # a date and a time, posted apart
            parts = field.widget.widgets[0].format_value, field.widget.widgets[1].format_value
            for i, part in enumerate(field.widget.decompress(value) or []):
                data[f"{name}_{i}"] = parts[i](part)
            continue
        data[name] = value
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value is not None:
                    data[sub.add_prefix(name)] = value
    return {k: v for k, v in data.items() if v is not False}


@pytest.fixture
def staff() -> Client:
    root = User.objects.create_superuser("root", "root@example.org", "x" * 16)
    client = Client()
    client.force_login(root)
    return client


def test_an_affiliate_renamed_in_the_admin_is_audited_and_moves_its_stamp(
    staff: Client, affiliate_a: Any
) -> None:
    stamp = audit.latest_stamp(affiliate_a)
    url = f"/admin/core/affiliate/{affiliate_a.pk}/change/"
    data = form_data(staff.get(url))
    data["name"] = "Wikimedia Alpha (renamed)"
    assert staff.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="affiliate.admin_changed")
    assert event.actor is not None and event.actor.username == "root"
    assert event.affiliate == affiliate_a and event.label == "changed the affiliate in the admin"
    assert event.changes == {"name": ["Wikimedia Alpha", "Wikimedia Alpha (renamed)"]}
    # Figures cached on the affiliate's newest audit event are drawn again.
    assert audit.latest_stamp(affiliate_a) != stamp


def test_a_membership_given_in_the_admin_is_audited_on_the_affiliate(
    staff: Client, affiliate_a: Any
) -> None:
    # Joined on a whole second: the admin's form shows no microseconds, so saving it would
    # truly change (and audit) a date with them.
    joined = timezone.now().replace(microsecond=0)
    person = User.objects.create_user("newcomer", password="y" * 16, date_joined=joined)
    url = f"/admin/core/user/{person.pk}/change/"
    data = form_data(staff.get(url))
    data.update(
        {
            "memberships-0-affiliate": affiliate_a.pk,
            "memberships-0-role": "manager",
            "memberships-0-user": person.pk,
        }
    )
    response = staff.post(url, data)
    assert response.status_code == 302
    assert Membership.objects.get(user=person).role == "manager"
    given = AuditEvent.objects.get(action="membership.admin_created")
    assert given.affiliate == affiliate_a and given.changes["role"] == "manager"
    # Nothing about the person changed, so no event for the person; no password is ever kept.
    assert not AuditEvent.objects.filter(action="user.admin_changed").exists()
    assert not any("password" in e.changes for e in AuditEvent.objects.all())


def test_a_deleted_affiliate_leaves_its_deletion_in_the_hub_log(
    staff: Client, affiliate_a: Any
) -> None:
    url = f"/admin/core/affiliate/{affiliate_a.pk}/delete/"
    assert staff.post(url, {"post": "yes"}).status_code == 302
    assert not Affiliate.objects.filter(pk=affiliate_a.pk).exists()
    gone = AuditEvent.objects.get(action="affiliate.admin_deleted")
    assert gone.affiliate is None and gone.target_repr == "Wikimedia Alpha"
