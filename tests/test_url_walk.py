"""Walk every route: each is public by an explicit list, or refuses visitors and other tenants."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hub.partners import imports
from tests import factories

pytestmark = pytest.mark.django_db

# Routes anyone may open. Everything else must refuse an anonymous visitor.
PUBLIC = {
    "home",  # redirects a visitor to the log-in page
    "health",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "shared_report",  # a partner's signed report link: refuses forged, expired, revoked tokens
    "shared_report_pdf",
}
# Routes for any logged-in person, showing only their own data.
OWN_ACCOUNT = {"account"}
# Hub-wide routes: hub staff only; everyone else gets 404.
HUB_STAFF = {"hub_overview"}
# Routes a plain member may not use; their managers may.
MANAGER_ONLY = {"contact_erase", "contact_data"}


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns == "admin":
                continue  # Django's admin has its own staff-only log-in.
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), prefix + str(p.pattern)


def all_routes() -> list[tuple[str, str]]:
    return sorted(set(_walk(get_resolver().url_patterns)))


@pytest.fixture
def objects_a(affiliate_a: Any, member_a: Any) -> dict[str, Any]:
    org = factories.organisation(affiliate_a, actor=member_a, name="Private partner")
    contact = factories.contact(org, actor=member_a)
    interaction = factories.interaction(
        org, actor=member_a, follow_up_on=factories.dt.date(2026, 12, 1)
    )
    batch = imports.create_batch(
        actor=member_a,
        affiliate=affiliate_a,
        table=imports.read_bytes(b"Organisation\nX\n", "p.csv"),
    )
    objs: dict[str, Any] = {
        "organisation": org,
        "contact": contact,
        "interaction": interaction,
        "batch": batch,
    }
    objs.update(_impact_objects(affiliate_a, member_a, org))
    return objs


def _impact_objects(affiliate: Any, actor: Any, org: Any) -> dict[str, Any]:
    """Return a partnership with a content link, a refresh run and a partner's share link."""
    from hub.impact import services as impact_services
    from hub.impact.models import ContentLink, RefreshRun

    partnership = factories.partnership(
        affiliate, actor=actor, partners=[(org, "main")], title="Private partner's archive"
    )
    link = ContentLink.objects.create(
        affiliate=affiliate,
        partnership=partnership,
        kind=ContentLink.Kind.COMMONS_CATEGORY,
        wiki_url="https://commons.wikimedia.org",
        target="Private partner",
    )
    run = RefreshRun.objects.create(link=link)
    share, _token = impact_services.create_share_link(actor=actor, partnership=partnership)
    return {"partnership": partnership, "link": link, "run": run, "share": share}


def _kwargs_for(name: str, route: str, objs: dict[str, Any], slug: str) -> dict[str, Any]:
    """Return URL arguments pointing at affiliate A's objects; fail for an unknown route."""
    kwargs: dict[str, Any] = {}
    if "<slug:slug>" in route:
        kwargs["slug"] = slug
    if "<int:pk>" in route:
        owners: dict[str, Callable[[], Any]] = {
            "organisation": lambda: objs["organisation"].pk,
            "contact": lambda: objs["contact"].pk,
            "interaction": lambda: objs["interaction"].pk,
            "partnership": lambda: objs["partnership"].pk,
        }
        kind = next((k for k in owners if f"/{k}s/<int:pk>" in route), None)
        if kind is None and "batch" in objs and "import" in route:
            kwargs["pk"] = objs["batch"].pk
        else:
            assert kind, f"teach the URL walk which object {name} ({route}) points at"
            kwargs["pk"] = owners[kind]()
    for key in ("link", "run", "share"):
        if f"<int:{key}_pk>" in route:
            kwargs[f"{key}_pk"] = objs[key].pk
    for key in ("uidb64", "token"):
        if f"<{key}>" in route:
            kwargs[key] = "x"
    return kwargs


def test_every_route_is_classified(objects_a: dict[str, Any]) -> None:
    assert len(all_routes()) > 15


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitor_is_refused_everywhere_but_public(objects_a, method):
    client = Client()
    for name, route in all_routes():
        short = name.split(":")[-1]
        if short in PUBLIC:
            continue
        url = reverse(name, kwargs=_kwargs_for(name, route, objects_a, "alpha"))
        response = getattr(client, method)(url)
        assert response.status_code in (302, 404), (name, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/login/"), name
        assert b"Private partner" not in response.content


@pytest.mark.parametrize("method", ["get", "post"])
def test_member_of_another_affiliate_gets_404(objects_a, client_b, method):
    for name, route in all_routes():
        short = name.split(":")[-1]
        if short in PUBLIC or short in OWN_ACCOUNT:
            continue
        url = reverse(name, kwargs=_kwargs_for(name, route, objects_a, "alpha"))
        response = getattr(client_b, method)(url)
        assert response.status_code == 404, (name, method, response.status_code)
        assert b"Private partner" not in response.content


def test_member_of_another_affiliate_cannot_reach_objects_through_own_slug(objects_a, client_b):
    for name, route in all_routes():
        if "<int:pk>" not in route or "<slug:slug>" not in route:
            continue
        url = reverse(name, kwargs=_kwargs_for(name, route, objects_a, "beta"))
        for method in ("get", "post"):
            response = getattr(client_b, method)(url)
            # 403: the role in their own affiliate does not allow it; never A's data.
            assert response.status_code in (403, 404, 405), (name, method, response.status_code)
            assert b"Private partner" not in response.content
    objects_a["organisation"].refresh_from_db()
    assert objects_a["organisation"].archived_at is None


def test_member_of_the_affiliate_can_open_every_page(objects_a, client_a):
    for name, route in all_routes():
        short = name.split(":")[-1]
        if short in PUBLIC or short in HUB_STAFF or "export" in short:
            continue
        url = reverse(name, kwargs=_kwargs_for(name, route, objects_a, "alpha"))
        response = client_a.get(url)
        # 403 only where the member role is not enough (erasing personal data is for managers).
        expected = (403,) if short in MANAGER_ONLY else (200, 302, 405)
        assert response.status_code in expected, (name, response.status_code)


def test_hub_pages_are_for_hub_staff_only(client_a, affiliate_a):
    assert client_a.get(reverse("hub_overview")).status_code == 404
    staff = factories.member(affiliate_a, username="hubby", is_hub_staff=True)
    client = Client()
    client.force_login(staff)
    response = client.get(reverse("hub_overview"))
    assert response.status_code == 200
    assert b"Wikimedia Alpha" in response.content


def test_unknown_page_is_a_plain_404(client_a):
    response = client_a.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Traceback" not in response.content
