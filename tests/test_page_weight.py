"""Every page's first load (its HTML with its stylesheet and scripts) stays under 20 KB gzipped."""

from __future__ import annotations

import gzip
import re
from io import StringIO
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from hub.core.models import Affiliate, Membership
from tests import factories, test_url_walk
from tests.test_url_walk import MACHINE_TOKEN, PUBLIC, SIGNED_LINKS, _is, _kwargs_for, all_routes

pytestmark = pytest.mark.django_db

objects_a = test_url_walk.objects_a  # the walk's objects: one of each kind, in affiliate A
# Routes that send the browser to another site (Meta-Wiki's log-in) rather than show a page.
ELSEWHERE = {"mediawiki_login", "mediawiki_callback"}
BUDGET = 20 * 1024  # bytes, gzip-compressed: a page on a slow, expensive connection
ASSET = re.compile(r'<(?:link rel="stylesheet" href|script[^>]* src)="(/static/[^"?]+)')


def _gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))  # nginx's and most servers' default


def _asset_bytes(url: str) -> bytes:
    path = finders.find(url.removeprefix("/static/"))
    assert path, f"{url} is not a static file"
    with open(str(path), "rb") as f:
        return f.read()


def first_load(client: Client, url: str) -> tuple[int, int] | None:
    """Return the gzipped bytes of the page and of its CSS and scripts, or None if no HTML."""
    response = client.get(url, headers={"accept-language": "en"})
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return None
    html = response.content
    assets = sum(_gzipped(_asset_bytes(u)) for u in set(ASSET.findall(html.decode())))
    return _gzipped(html), assets


def test_every_pages_first_load_is_under_20_kb_compressed(objects_a: dict[str, Any]) -> None:
    staff = factories.member(
        objects_a["organisation"].affiliate, username="heavy", role="manager", is_hub_staff=True
    )
    signed_in = Client()
    signed_in.force_login(staff)
    visitor = Client()
    weights: dict[str, tuple[int, int]] = {}
    for name, route in all_routes():
        if _is(name, MACHINE_TOKEN) or _is(name, SIGNED_LINKS) or _is(name, ELSEWHERE):
            continue
        try:
            url = reverse(name, kwargs=_kwargs_for(name, route, objects_a, "alpha"))
        except AssertionError:  # a public route the walk has no object for (showcase)
            continue
        client = visitor if _is(name, PUBLIC) else signed_in
        measured = first_load(client, url)
        if measured:
            weights[name] = measured
    assert len(weights) > 40, sorted(weights)
    heaviest = sorted(weights.items(), key=lambda kv: -sum(kv[1]))
    for name, (html, assets) in heaviest[:5]:
        print(f"{name}: {html + assets} B gzipped (HTML {html} B, CSS and scripts {assets} B)")
    over = {name: sum(w) for name, w in weights.items() if sum(w) > BUDGET}
    assert not over, f"first load over {BUDGET} B gzipped: {over}"


def test_the_demos_busiest_pages_are_under_20_kb_compressed(settings: Any) -> None:
    """The demo of `make run`: full lists (fifty rows), dashboards and the showcase."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=StringIO())
    # Pages that need no object: lists, dashboards, reports, for the three largest affiliates.
    pages = [
        (name, route)
        for name, route in all_routes()
        if "<" not in route.replace("<slug:slug>", "")
        and not _is(name, MACHINE_TOKEN)
        and not _is(name, ELSEWHERE)
    ]
    largest = Affiliate.objects.annotate(n=Count("organisations")).order_by("-n")[:3]
    weights: dict[str, int] = {}
    visitor = Client()
    for affiliate in largest:
        members = Membership.objects.filter(affiliate=affiliate)
        membership = members.filter(role=Membership.Role.MANAGER).first() or members.first()
        assert membership, affiliate
        client = Client()
        client.force_login(membership.user)
        for name, route in pages:
            url = reverse(name, kwargs={"slug": affiliate.slug} if "<slug:slug>" in route else {})
            measured = first_load(visitor if _is(name, PUBLIC) else client, url)
            if measured:
                weights[f"{affiliate.slug} {name}"] = sum(measured)
    assert sum("organisation_list" in name for name in weights) == 3, sorted(weights)
    heaviest = sorted(weights.items(), key=lambda kv: -kv[1])[:5]
    print("heaviest demo pages (gzipped first load):", heaviest)
    over = {name: w for name, w in weights.items() if w > BUDGET}
    assert not over, f"first load over {BUDGET} B gzipped: {over}"
