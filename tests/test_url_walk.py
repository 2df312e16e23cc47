"""Walk every route: each is public by an explicit list, or refuses visitors and other tenants."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hub.community import services as community_services
from hub.helpdesk import services as helpdesk_services
from hub.helpdesk import services_committee as helpdesk_committee
from hub.helpdesk import services_groups as helpdesk_groups
from hub.partners import imports
from hub.surveys import answering, delivery
from tests import factories, helpdesk_factories

pytestmark = pytest.mark.django_db

# Routes anyone may open. Everything else must refuse an anonymous visitor.
PUBLIC = {
    "home",  # redirects a visitor to the log-in page
    "health",
    "guide",  # the user guide: no records, the same for everyone
    "guide_chapter",
    "login",
    "admin_login",  # Django admin's log-in page, behind the same rate limit as "login"
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "shared_report",  # a partner's signed report link: refuses forged, expired, revoked tokens
    "shared_report_pdf",
    # The helpdesk's public side: the request form, and the committee's briefs (no personal
    # data). The status page is public only through a signed link (forged ones: see below).
    "request_new",
    "request_sent",
    "request_status",
    "request_my_data",  # the requester's copy of their request, through the same signed link
    "request_privacy",  # the requester asks for a copy or erasure of all their data
    "brief_list",
    "meeting_brief",
    "calendar_feed",  # the secret in the address is the key; see test_calendar.py
    # The reconciliation service (OpenRefine): the secret in the address is the key, and an
    # unknown or revoked one answers 404 (test_reconciliation_keys_refuse_unknown_secrets).
    "reconciliation:service",
    "reconciliation:preview",
    "reconciliation:suggest_entity",
    # The public showcase: published partnerships only; any other id answers 404 (see
    # test_showcase_answers_404_for_a_private_partnership and tests/test_library_showcase.py).
    "showcase:showcase",
    "showcase:partnership",
    "showcase:badge",
    "showcase:feed",
    # Linked data of what affiliates published: an unknown slug or a private partnership's id
    # answers 404 (test_linked_data_shows_nothing_private and tests/test_linked_data.py).
    "linked_data:affiliate",
    "linked_data:affiliate_turtle",
    "linked_data:affiliate_jsonld",
    "linked_data:partnership_turtle",
    "linked_data:partnership_jsonld",
    # The library shows a visitor its public resources only, anyone else a 404: the reading
    # routes scope by viewer (tests/test_library_views.py walks them as every persona).
    "library:library",
    "library:resource_detail",
    "library:resource_file",
    "library:resource_preview",
    # Log in with Wikimedia (allauth): starting it, Meta-Wiki's return (the state is checked:
    # tests/test_wikimedia_login.py), its error and sign-up pages (empty without a log-in in
    # progress), and allauth's names for our own account pages (plain redirects).
    "mediawiki_login",
    "mediawiki_callback",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    "socialaccount_signup",
    "account_login",
    "account_change_password",
    "account_reauthenticate",
    # The REST API's description: its schema, documentation page and root (no one's data).
    "api:api-root",
    "api:openapi-json",
    "api_docs",
    # A partner's survey by its signed link: forged, changed, closed or opted-out links show
    # nothing (test_survey_links_refuse_forged_tokens; tests/test_survey_views.py).
    "surveys:answer",
    "surveys:thanks",
    "surveys:opt_out",
    # The partner portal: public only through its signed link (forged, expired, withdrawn:
    # test_portal_links_refuse_forged_tokens below and tests/test_portal.py).
    "surveys:portal",
    "surveys:portal_report",
    "surveys:portal_organisation",
    "surveys:portal_contact",
    "surveys:portal_document",
    "surveys:updates_opt_out",
    # An event's public sign-up, its thank-you page and the participant's withdrawal: public
    # only through their signed links (forged 404, closed or done 410:
    # test_event_links_refuse_forged_tokens below and tests/test_events_people.py).
    "people_signup",
    "people_thanks",
    "people_withdraw",
    # An event's public page: only while its partnership is published, through a signed token
    # (test_event_public_page_answers_404_unless_published below; tests/test_events_out.py).
    "out_public_event",
}
# Routes for any logged-in person, showing only their own data.
OWN_ACCOUNT = {
    "account",
    "socialaccount_connections",
    "password_change",
    "password_change_done",
    "confirm_password",
    "notifications",
    "notifications_read",
    "notification_preferences",
    "profile_edit",
    "group_list",
    "calendar_feeds",
    "calendar_feed_create",
    "calendar_feed_revoke",
    "api_tokens",
    "api_token_revoke",
}
# Hub-wide community pages for any logged-in person, whatever their affiliate: the directory
# and the approved requests looking for helpers. No affiliate's own records are on them.
LOGGED_IN = {"directory", "profile_detail", "request_board", "offer_help"}
# Hub-wide routes: hub staff only; everyone else gets 404. (The helpdesk's back office also
# opens to members of the expert committee: see tests/test_helpdesk_views.py.)
HUB_STAFF = {
    "hub_overview",
    "login_policy",
    "hub_reports",
    "hub_reports_export",
    "strategic_definition",
    "helpdesk:dashboard",
    "request_detail",
    "request_transition",
    "request_message",
    "request_check",
    "request_triage",
    "request_erase",
    "meeting_list",
    "meeting_detail",
    "meeting_agenda",
    "meeting_publish",
    "item_decide",
    "committee",
    "committee_remove",
    "group_create",
    "find_helper",
    "ask_helper",
    "resource_feature",
    "surveys:standard",
    "surveys:standard_question_add",
    "surveys:standard_question_edit",
    "surveys:movement",
    # One person's hub-wide records (requests sent to no affiliate): search, copy, erasure.
    "hub_personal_data",
    "hub_personal_data_export",
    "hub_personal_data_report",
    "hub_personal_data_erase",
}
# Routes for machines with a token in the Authorization header (HUB_METRICS_TOKEN): no person,
# signed in or not, gets in without it (test_machine_routes_refuse_everyone_without_the_token).
MACHINE_TOKEN = {"metrics"}
# The REST API: a person's token in the Authorization header, never a session; walked by
# test_api_routes_answer_only_their_affiliates_token below.
API_TOKEN_PREFIX = "api:"
# Routes with a signed token: public, yet a forged token shows nothing.
SIGNED_LINKS = {"request_status", "request_my_data", "request_privacy"}
# Routes a plain member may not use; their managers may (a working group: its lead).
MANAGER_ONLY = {
    "contact_erase",
    "contact_export",
    "contact_data",
    # One person's records across the Hub: search, export, readable copy, erasure.
    "personal_data",
    "personal_data_export",
    "personal_data_report",
    "personal_data_erase",
    "group_member_add",
    "reporting_currency",
    "main_goals",
    "main_goal_edit",
}


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns == "admin":
                continue  # Django's admin has its own staff-only log-in.
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), prefix + str(p.pattern)


def _is(name: str, group: set[str]) -> bool:
    """Return True if the route is in the group by its short name or, where short names
    clash across apps, by its namespaced name."""
    return name in group or name.split(":")[-1] in group


def _is_api(name: str) -> bool:
    """Return True for an operation of the REST API (token only; the schema is public)."""
    return name.startswith(API_TOKEN_PREFIX) and not _is(name, PUBLIC)


def all_routes() -> list[tuple[str, str]]:
    return sorted(set(_walk(get_resolver().url_patterns)))


@pytest.fixture
def objects_a(affiliate_a: Any, member_a: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
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
    applied_batch = imports.create_batch(
        actor=member_a,
        affiliate=affiliate_a,
        table=imports.read_bytes(b"Organisation,Country\nX,France\nY,Atlantis\n", "p.csv"),
    )
    imports.set_batch_mapping(
        batch=applied_batch, mapping=applied_batch.mapping, invalid_rows="valid"
    )
    imports.apply_batch(actor=member_a, batch=applied_batch)
    from hub.partnerships.models import Reminder
    from hub.partnerships.todo import ical
    from hub.partnerships.todo import services as todo

    task = todo.create_task(
        actor=member_a, affiliate=affiliate_a, title="Private task", organisation=org
    )
    reminder = Reminder.objects.create(
        affiliate=affiliate_a,
        user=member_a,
        kind=Reminder.Kind.BUDGET_CYCLE,
        key="walk",
        due_on=factories.dt.date(2027, 1, 1),
        remind_on=factories.dt.date(2026, 10, 1),
        organisation=org,
    )
    feed, _token = ical.create_feed(actor=member_a)
    from hub.api import tokens as api_tokens

    api_token, _secret = api_tokens.create_token(
        actor=member_a, affiliate=affiliate_a, name="Private partner sync", can_write=True
    )
    from hub.partners import directory_keys

    reconciliation_key, _secret = directory_keys.create_key(actor=member_a, affiliate=affiliate_a)
    objs: dict[str, Any] = {
        "organisation": org,
        "contact": contact,
        "interaction": interaction,
        "batch": batch,
        "applied_batch": applied_batch,
        "task": task,
        "reminder": reminder,
        "calendar-feed": feed,
        "api-token": api_token,
        "reconciliation-key": reconciliation_key,
    }
    # Partnerships: a partnership with a document (kept in a temporary storage) and a main goal.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    partnership = factories.partnership(
        affiliate_a, actor=member_a, title="Private partnership", partners=[(org, "main")]
    )
    objs["document"] = factories.document(partnership, actor=member_a)
    objs["main-goal"] = factories.main_goal(affiliate_a, name="Private goal")
    objs.update(_money_objects(affiliate_a, member_a, org, partnership))
    objs.update(_helpdesk_objects(member_a))
    objs.update(_impact_objects(affiliate_a, member_a, partnership))
    objs.update(_event_objects(affiliate_a, member_a, partnership))
    objs.update(_survey_objects(affiliate_a, member_a, partnership, org))
    objs.update(_portal_objects(member_a, org))
    settings.HUB_UPLOADS_DIR = tmp_path / "uploads"
    objs["upload"] = _upload_batch(member_a, partnership)
    objs["resource"] = _library_resource(affiliate_a, member_a)
    return objs


def _event_objects(affiliate: Any, actor: Any, partnership: Any) -> dict[str, Any]:
    """Return A's edit-a-thon event with a participant who signed up through the open link, a
    failed count and a counted figure (the names in them are private)."""
    from hub.events import services as event_services
    from hub.events.models import CountRun, EventFigure
    from hub.partnerships.activities import services as activities

    activity = activities.create_activity(
        actor=actor,
        partnership=partnership,
        kind="editathon",
        title="Private edit-a-thon",
        starts_on=factories.dt.date(2026, 1, 1),
    )
    now = factories.dt.datetime.now(tz=factories.dt.UTC)
    event = event_services.create_event(
        actor=actor,
        activity=activity,
        wikis=["https://sv.wikipedia.org"],
        starts_at=now,
        ends_at=now + factories.dt.timedelta(days=2),
    )
    event_services.set_signup_open(actor=actor, event=event, is_open=True)
    participant = event_services.sign_up(
        event=event, username="Private partner", agreed=True, show_name=True
    )
    CountRun.objects.create(event=event, status=CountRun.Status.FAILED, error="Private partner")
    EventFigure.objects.create(
        event=event,
        metric="edits",
        value=3,
        source="counted",
        method="Private partner",
        counted_at=now,
    )
    assert event.affiliate == affiliate
    return {"event": event, "participant": participant}


def _survey_objects(affiliate: Any, actor: Any, partnership: Any, org: Any) -> dict[str, Any]:
    """Return A's survey, a question of it, a sending with an answer, a rule, and a question
    of the hub's standard survey."""
    from hub.surveys import services as survey_services
    from tests import survey_factories

    survey = survey_factories.survey(affiliate, actor, title="Private partner survey")
    sending = survey_factories.send(
        actor, survey, partnership, [factories.contact(org, actor=actor, name="Private partner")]
    )
    invitation = sending.invitations.get()
    rating = sending.version.questions.get(kind="rating")
    answering.save_answers(invitation=invitation, answers={rating.pk: {"number": 4}})
    rule = survey_services.create_rule(
        actor=actor, affiliate=affiliate, survey=survey, trigger="yearly"
    )
    standard = survey_services.standard_survey()
    services_version = survey_services.current_version
    return {
        "survey": survey,
        "question": survey.versions.get().questions.first(),
        "standard_question": services_version(standard).questions.first(),
        "sending": sending,
        "rule": rule,
        "survey_token": delivery.token_for(invitation),
    }


def _upload_batch(actor: Any, partnership: Any) -> Any:
    """Return a batch upload on A's partnership, with a sheet of one row."""
    from hub.uploads import services as upload_services

    batch = upload_services.create_batch(actor=actor, partnership=partnership, title="Walk")
    upload_services.set_mapping(actor=actor, batch=batch, mapping={})
    return batch


def _library_resource(affiliate: Any, actor: Any) -> Any:
    """Return A's own library resource (seen by A only) with an image and its preview."""
    from hub.library import processing
    from hub.library import services as library_services
    from tests import library_files

    resource = library_services.create_resource(
        actor=actor,
        affiliate=affiliate,
        title="Private partner guide",
        kind="guideline",
        upload=library_files.stream("flyer.png", library_files.png()),
    )
    processing.process_file(resource_id=resource.pk)
    return resource


def _money_objects(affiliate: Any, actor: Any, org: Any, partnership: Any) -> dict[str, Any]:
    """Return A's partnership with an activity, a contribution and an exchange rate."""
    from decimal import Decimal

    from hub.partnerships.activities import services as activities

    return {
        "partnership": partnership,
        "activity": activities.create_activity(
            actor=actor,
            partnership=partnership,
            kind="meeting",
            title="Private meeting",
            starts_on=factories.dt.date(2026, 1, 1),
        ),
        "contribution": activities.add_contribution(
            actor=actor,
            partnership=partnership,
            organisation=org,
            kind="financial",
            received_on=factories.dt.date(2026, 1, 1),
            amount=Decimal(10),
            currency="EUR",
        ),
        "rate": activities.set_exchange_rate(
            actor=actor, affiliate=affiliate, currency="USD", year=2026, rate=Decimal("0.9")
        ),
    }


def _helpdesk_objects(member: Any) -> dict[str, Any]:
    """Return an approved help request with a meeting, a working group, a task, a profile."""
    staff = helpdesk_factories.staff("walker")
    committee_member = helpdesk_committee.add_committee_member(actor=staff, user=staff)
    request, item = helpdesk_factories.approved_request(staff, partner="Museo del Walk")
    group = helpdesk_factories.working_group(staff, request)
    helpdesk_groups.add_group_member(actor=staff, group=group, user=member)
    task = helpdesk_groups.add_group_task(actor=staff, group=group, title="Walk", owner=member)
    profile = helpdesk_factories.profile(member, skills=["wikidata"], availability="available")
    invitation = community_services.ask_to_help(actor=staff, request=request, helper=member)
    return {
        "invitation": invitation,
        "request": request,
        "item": item,
        "meeting": item.meeting,
        "brief": item.meeting,
        "group": group,
        "group_task": task,
        "profile": profile,
        "member": committee_member,
    }


def _pk_of(objs: dict[str, Any], key: str) -> Callable[[], Any]:
    return lambda: objs[key].pk


def _impact_objects(affiliate: Any, actor: Any, partnership: Any) -> dict[str, Any]:
    """Return a content link, a refresh run and a partner's share link on A's partnership."""
    from hub.impact import services as impact_services
    from hub.impact.models import ContentLink, Metric, MetricPoint, RefreshRun, Source

    link = ContentLink.objects.create(
        affiliate=affiliate,
        partnership=partnership,
        kind=ContentLink.Kind.COMMONS_CATEGORY,
        wiki_url="https://commons.wikimedia.org",
        target="Private partner",
    )
    run = RefreshRun.objects.create(link=link)
    share, _token = impact_services.create_share_link(actor=actor, partnership=partnership)
    point = MetricPoint.objects.create(
        link=link,
        metric=Metric.values[0],
        month=factories.dt.date(2026, 1, 1),
        value=7,
        source=Source.values[0],
        fetched_at=factories.dt.datetime(2026, 2, 1, tzinfo=factories.dt.UTC),
    )
    return {"link": link, "run": run, "share": share, "point": point}


def _portal_objects(actor: Any, org: Any) -> dict[str, Any]:
    """Return A's partner portal link and a correction waiting for approval."""
    from hub.surveys.portal import services as portal_services

    link = portal_services.create_portal_link(actor=actor, organisation=org)
    change = portal_services.request_change(link=link, values={"city": "Private partner city"})
    return {"portal-link": link, "change": change}


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
            "activity": lambda: objs["activity"].pk,
            "contribution": lambda: objs["contribution"].pk,
            "rate": lambda: objs["rate"].pk,
            "task": lambda: objs["task"].pk,
            "reminder": lambda: objs["reminder"].pk,
            "calendar-feed": lambda: objs["calendar-feed"].pk,
            "api-token": lambda: objs["api-token"].pk,
            "content-link": lambda: objs["link"].pk,
            "metric-point": lambda: objs["point"].pk,
            "reconciliation-key": lambda: objs["reconciliation-key"].pk,
            "document": lambda: objs["document"].pk,
            "main-goal": lambda: objs["main-goal"].pk,
            "upload": lambda: objs["upload"].pk,
            "resource": lambda: objs["resource"].pk,
            "survey": lambda: objs["survey"].pk,
            "change": lambda: objs["change"].pk,
            "event": lambda: objs["event"].pk,
        }
        if name.startswith(("helpdesk:", "community:")):
            owners = {
                k: _pk_of(objs, k)
                for k in (
                    "request",
                    "item",
                    "meeting",
                    "brief",
                    "group",
                    "profile",
                    "member",
                    "invitation",
                )
            }
            owners["task"] = _pk_of(objs, "group_task")
        plurals = {"activity": "activities", "resource": "library"}
        kind = next(
            (k for k in owners if f"/{plurals.get(k, k + 's')}/<int:pk>" in f"/{route}"), None
        )
        if kind is None and "batch" in objs and route.endswith("/rejected/"):
            kwargs["pk"] = objs["applied_batch"].pk  # only an applied import has rejected rows
        elif kind is None and "batch" in objs and "import" in route:
            kwargs["pk"] = objs["batch"].pk
        else:
            assert kind, f"teach the URL walk which object {name} ({route}) points at"
            kwargs["pk"] = owners[kind]()
    for key in ("link", "run", "share", "question", "sending", "rule", "participant"):
        if f"<int:{key}_pk>" in route:
            kwargs[f"{key}_pk"] = objs[key].pk
    if name == "surveys:standard_question_edit":
        kwargs["question_pk"] = objs["standard_question"].pk
    if "<str:fmt>" in route:
        kwargs["fmt"] = "csv"
    if "<slug:chapter>" in route:
        kwargs["chapter"] = "coordinators"
    for key in ("uidb64", "token"):
        if f"<{key}>" in route:
            kwargs[key] = "x"
    if name.startswith("people_") and "<str:token>" in route:
        # An event's public pages open with genuine links (forged ones: see below).
        from hub.events import signup

        kwargs["token"] = (
            signup.signup_token(objs["event"])
            if name == "people_signup"
            else signup.withdraw_token(objs["participant"])
        )
    return kwargs


def test_every_route_is_classified(objects_a: dict[str, Any]) -> None:
    assert len(all_routes()) > 15


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitor_is_refused_everywhere_but_public(objects_a, method):
    client = Client()
    for name, route in all_routes():
        if _is(name, PUBLIC) or _is_api(name):
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
        if _is(name, PUBLIC) or _is(name, OWN_ACCOUNT) or _is(name, LOGGED_IN) or _is_api(name):
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
        if _is(name, PUBLIC) or _is(name, HUB_STAFF) or _is(name, MACHINE_TOKEN) or _is_api(name):
            continue
        if "export" in short:
            continue
        url = reverse(name, kwargs=_kwargs_for(name, route, objects_a, "alpha"))
        response = client_a.get(url)
        # 403 only where the member role is not enough (erasing personal data is for managers).
        expected = (403,) if _is(name, MANAGER_ONLY) else (200, 302, 405)
        assert response.status_code in expected, (name, response.status_code)


def test_hub_pages_are_for_hub_staff_only(client_a, affiliate_a):
    assert client_a.get(reverse("hub_overview")).status_code == 404
    staff = factories.member(affiliate_a, username="hubby", is_hub_staff=True)
    client = Client()
    client.force_login(staff)
    response = client.get(reverse("hub_overview"))
    assert response.status_code == 200
    assert b"Wikimedia Alpha" in response.content


def test_hub_staff_can_open_every_hub_staff_page(objects_a):
    client = Client()
    client.force_login(factories.member(objects_a["organisation"].affiliate, is_hub_staff=True))
    for name, route in all_routes():
        if not _is(name, HUB_STAFF):
            continue
        url = reverse(name, kwargs=_kwargs_for(name, route, objects_a, "alpha"))
        # Without a search, a person's copy goes back to the search; erasing first asks for
        # the password again.
        expected = (200, 302, 405) if name.startswith("hub_personal_data_") else (200, 405)
        assert client.get(url).status_code in expected, name


@pytest.mark.parametrize("method", ["get", "post"])
def test_signed_links_refuse_forged_tokens(objects_a, method):
    genuine = helpdesk_services.status_link(objects_a["request"]).rstrip("/").rsplit("/", 1)[1]
    forged = [
        "x",
        genuine[:-3] + "abc",  # the signature changed
        genuine.replace(genuine.split(":")[0], "WzEsIngiXQ"),  # another request, same signature
    ]
    for name, route in all_routes():
        if not _is(name, SIGNED_LINKS):
            continue
        for token in forged:
            kwargs = {**_kwargs_for(name, route, objects_a, "alpha"), "token": token}
            response = getattr(Client(), method)(reverse(name, kwargs=kwargs))
            assert response.status_code == 404, (name, token)
            assert b"Museo del Walk" not in response.content


@pytest.mark.parametrize("method", ["get", "post"])
def test_survey_links_refuse_forged_tokens(objects_a, method):
    genuine = objects_a["survey_token"]
    forged = [
        "x",
        genuine[:-3] + "abc",  # the signature changed
        genuine.replace(genuine.split(":")[0], "WzEsIngiXQ"),  # another invitation, same signature
    ]
    for name in ("surveys:answer", "surveys:thanks", "surveys:opt_out"):
        for token in forged:
            response = getattr(Client(), method)(reverse(name, kwargs={"token": token}))
            assert response.status_code == 404, (name, token)
            assert b"Private partner" not in response.content


@pytest.mark.parametrize("method", ["get", "post"])
def test_portal_links_refuse_forged_tokens(objects_a, method):
    from hub.surveys.portal.tokens import opt_out_token, portal_token

    genuine = portal_token(objects_a["portal-link"])
    forged = [
        "x",
        genuine[:-3] + "abc",  # the signature changed
        "WzEsIngiXQ:" + genuine.rsplit(":", 1)[1],  # another link, same signature
        opt_out_token(objects_a["contact"]),  # a genuine token of another kind
    ]
    for name, route in all_routes():
        if not name.startswith(("surveys:portal", "surveys:updates")) or not _is(name, PUBLIC):
            continue
        for token in forged:
            if name == "surveys:updates_opt_out" and token == forged[3]:
                continue  # that one is genuine here
            kwargs = {**_kwargs_for(name, route, objects_a, "alpha"), "token": token}
            response = getattr(Client(), method)(reverse(name, kwargs=kwargs))
            assert response.status_code == 404, (name, token)
            assert b"Private partner" not in response.content


@pytest.mark.parametrize("method", ["get", "post"])
def test_event_links_refuse_forged_tokens(objects_a, method):
    from hub.events import signup

    event, participant = objects_a["event"], objects_a["participant"]
    genuine = {
        "people_signup": signup.signup_token(event),
        "people_thanks": signup.withdraw_token(participant),
        "people_withdraw": signup.withdraw_token(participant),
    }
    for name, token in genuine.items():
        forged = [
            "x",
            token[:-3] + "abc",  # the signature changed
            "WzksOV0:" + token.rsplit(":", 1)[1],  # another event, same signature
            genuine["people_signup" if name != "people_signup" else "people_thanks"],
        ]
        for bad in forged:
            response = getattr(Client(), method)(reverse(name, kwargs={"token": bad}))
            assert response.status_code == 404, (name, bad)
            assert b"Private partner" not in response.content


def test_event_links_no_longer_in_force_answer_410(objects_a):
    from hub.events import services as event_services
    from hub.events import signup

    event, participant = objects_a["event"], objects_a["participant"]
    withdraw = reverse("people_withdraw", kwargs={"token": signup.withdraw_token(participant)})
    assert Client().post(withdraw).status_code == 200
    for name in ("people_thanks", "people_withdraw"):
        token = signup.withdraw_token(participant)
        assert Client().get(reverse(name, kwargs={"token": token})).status_code == 410
    event_services.set_signup_open(actor=None, event=event, is_open=False)
    closed = Client().get(reverse("people_signup", kwargs={"token": signup.signup_token(event)}))
    assert closed.status_code == 410 and b"Private partner" not in closed.content


def test_every_route_has_a_known_class():
    classified = PUBLIC | OWN_ACCOUNT | LOGGED_IN | HUB_STAFF | MANAGER_ONLY | MACHINE_TOKEN
    names = {
        n for name, _route in all_routes() if not _is_api(name) for n in (name, name.split(":")[-1])
    }
    assert SIGNED_LINKS <= PUBLIC
    assert classified - names <= {"set_language"} | names, classified - names


def test_machine_routes_refuse_everyone_without_the_token(objects_a, client_a, client_b, settings):
    settings.HUB_METRICS_TOKEN = "s3cret-scrape-token"
    staff = Client()
    staff.force_login(factories.member(objects_a["organisation"].affiliate, is_hub_staff=True))
    for name, route in all_routes():
        if not _is(name, MACHINE_TOKEN):
            continue
        url = reverse(name, kwargs=_kwargs_for(name, route, objects_a, "alpha"))
        for client in (Client(), client_a, client_b, staff):
            response = client.get(url)
            assert response.status_code == 401, (name, response.status_code)
            assert b"hub_" not in response.content


def test_showcase_answers_404_for_a_private_partnership(objects_a, client_a, client_b):
    private = objects_a["partnership"].pk
    for name, route in all_routes():
        if not name.startswith("showcase:") or "<int:pk>" not in route:
            continue
        for client in (Client(), client_a, client_b):
            response = client.get(reverse(name, kwargs={"pk": private}))
            assert response.status_code == 404, (name, response.status_code)
            assert b"Private partner" not in response.content
    listing = Client().get(reverse("showcase:showcase"))
    assert listing.status_code == 200 and b"Private partner" not in listing.content


def test_linked_data_shows_nothing_private(objects_a, client_a, client_b):
    private = objects_a["partnership"].pk
    for name, route in all_routes():
        if not name.startswith("linked_data:") or not _is(name, PUBLIC):
            continue
        for client in (Client(), client_a, client_b):
            if "<int:pk>" in route:
                response = client.get(reverse(name, kwargs={"pk": private}))
                assert response.status_code == 404, (name, response.status_code)
            else:
                response = client.get(reverse(name, kwargs={"slug": "alpha"}), follow=True)
                assert response.status_code == 200, (name, response.status_code)
                assert client.get(reverse(name, kwargs={"slug": "nobody"})).status_code == 404
            assert b"Private partner" not in response.content


def test_event_public_page_answers_404_unless_published(objects_a, client_a, client_b):
    from hub.events import outputs
    from hub.events.models import Event, EventFigure, Participant
    from hub.partnerships.activities import services as activities

    activity = activities.create_activity(
        actor=None,
        partnership=objects_a["partnership"],
        kind="editathon",
        title="Private partner edit-a-thon",
        starts_on=factories.dt.date(2026, 3, 8),
    )
    start = factories.dt.datetime(2026, 3, 8, tzinfo=factories.dt.UTC)
    event = Event.objects.create(
        activity=activity,
        affiliate=objects_a["partnership"].affiliate,
        starts_at=start,
        ends_at=start + factories.dt.timedelta(hours=8),
    )
    EventFigure.objects.create(
        event=event, metric="edits", value=3, source="counted", counted_at=start
    )
    Participant.objects.create(event=event, username="Private partner", show_name=True)
    url = outputs.public_url(event)
    for client in (Client(), client_a, client_b):
        response = client.get(url)
        assert response.status_code == 404
        assert b"Private partner" not in response.content


def test_unknown_page_is_a_plain_404(client_a):
    response = client_a.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Traceback" not in response.content


def test_organisation_suggestions_answer_only_the_affiliates_members(objects_a, client_a, client_b):
    # The walk above opens the suggestions without a query; asked for the partner's name, they
    # still show it only to A's members.
    alpha = reverse("partners:organisation_suggest", kwargs={"slug": "alpha"}) + "?q=private"
    beta = reverse("partners:organisation_suggest", kwargs={"slug": "beta"}) + "?q=private"
    assert b"Private partner" in client_a.get(alpha).content
    assert client_b.get(alpha).status_code == 404
    assert b"Private partner" not in client_b.get(beta).content
    assert Client().get(alpha).status_code == 302


def test_library_reading_routes_show_a_resource_only_to_who_may_see_it(objects_a, client_b):
    """The library's public routes: A's own resource is a 404 to a visitor and to B until public."""
    from hub.library import services as library_services

    resource = objects_a["resource"]
    routes = [(n, r) for n, r in all_routes() if n.startswith("library:") and _is(n, PUBLIC)]
    assert len(routes) == 4
    anonymous = Client()
    for name, route in routes:
        url = reverse(name, kwargs=_kwargs_for(name, route, objects_a, "alpha"))
        for client in (anonymous, client_b):
            response = client.get(url)
            assert response.status_code == (200 if "<int:pk>" not in route else 404), name
            assert b"Private partner" not in response.content, name
    library_services.update_resource(
        actor=resource.created_by, resource=resource, visibility="public"
    )
    for name, route in routes:
        url = reverse(name, kwargs=_kwargs_for(name, route, objects_a, "alpha"))
        assert anonymous.get(url).status_code == 200, name


def test_api_routes_answer_only_their_affiliates_token(objects_a, client_a, member_b, settings):
    """Every API operation: no token 401, a session 401, B's token 404 for A's records (its
    lists empty of them), a token in the address 400, A's token reads; always problem JSON."""
    from hub.api import tokens as api_tokens

    settings.HUB_API_RATE = "10000/m"
    affiliate_b = member_b.memberships.get().affiliate
    _row, secret_b = api_tokens.create_token(
        actor=member_b, affiliate=affiliate_b, name="b", can_write=True
    )
    member_a = objects_a["api-token"].user
    _row, secret_a = api_tokens.create_token(
        actor=member_a, affiliate=objects_a["api-token"].affiliate, name="a", can_write=False
    )
    as_b = {"Authorization": f"Bearer {secret_b}"}
    routes = [(n, r) for n, r in all_routes() if _is_api(n)]
    assert len(routes) >= 20
    for name, route in routes:
        url = reverse(name, kwargs=_kwargs_for(name, route, objects_a, "alpha"))
        write = "patch" if "<int:pk>" in route else "post"
        # Content links and figures are read-only: writing them is 405 for everyone.
        refused = {"get": (401,), write: (401, 405)}
        for client in (Client(), client_a):
            for method in ("get", write):
                response = (
                    client.get(url)
                    if method == "get"
                    else getattr(client, method)(url, "{}", content_type="application/json")
                )
                assert response.status_code in refused[method], (name, response.status_code)
                assert response["Content-Type"] == "application/problem+json"
        for response in (
            Client().get(url, headers=as_b),
            getattr(Client(), write)(url, "{}", content_type="application/json", headers=as_b),
        ):
            assert b"Private partner" not in response.content, name
            assert response["Content-Type"].startswith("application/"), name
            if "<int:pk>" in route:
                assert response.status_code in (404, 405), (name, response.status_code)
            else:
                assert response.status_code in (200, 400, 405), (name, response.status_code)
        assert Client().get(url + "?token=" + secret_a).status_code == 400, name
        as_a = Client().get(url, headers={"Authorization": f"Bearer {secret_a}"})
        assert as_a.status_code == 200, (name, as_a.status_code)
    assert objects_a["organisation"].name == "Private partner"


def test_api_token_cannot_be_revoked_by_another_person(objects_a, client_b):
    token = objects_a["api-token"]
    response = client_b.post(reverse("api_token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_reconciliation_keys_refuse_unknown_secrets(objects_a, client_a, client_b, method):
    # The service's routes are public: only the secret opens them, for anyone holding it.
    for name, route in all_routes():
        if not name.startswith("reconciliation:") or "<token>" not in route:
            continue
        for token in ("x", "y" * 43, "z" * 200):
            url = reverse(name, kwargs={"token": token})
            for client in (Client(), client_a, client_b):
                response = getattr(client, method)(url, {"id": objects_a["organisation"].pk})
                assert response.status_code in (404, 405), (name, response.status_code)
                assert b"Private partner" not in response.content


def test_hub_wide_personal_data_is_for_hub_staff_only(objects_a, affiliate_a, client_a):
    """Neither a member of an affiliate (a manager, even) nor a visitor reaches the hub-wide
    records of a person, searched for by the address of a request sent to no affiliate."""
    from hub.core.models import User
    from hub.helpdesk.models import HelpRequest

    helpdesk_factories.help_request(name="Hubert Nowhere", email="hubert@nowhere.example")
    assert HelpRequest.objects.filter(affiliate=None, email="hubert@nowhere.example").exists()
    manager = Client()
    manager.force_login(factories.member(affiliate_a, username="mgr", role="manager"))
    for client, refused in ((Client(), 302), (client_a, 404), (manager, 404)):
        for name in (
            "hub_personal_data",
            "hub_personal_data_export",
            "hub_personal_data_report",
            "hub_personal_data_erase",
        ):
            url = reverse(name) + "?q=hubert@nowhere.example"
            for method in ("get", "post"):
                response = getattr(client, method)(url, {"confirm": "erase", "seen": "1"})
                assert response.status_code == refused, (name, method)
                if refused == 302:
                    assert response["Location"].startswith("/login/"), name
                # (The address typed comes back only in the language menu's return link.)
                assert b"Hubert Nowhere" not in response.content
    assert HelpRequest.objects.filter(email="hubert@nowhere.example").exists()
    assert User.objects.filter(username="mgr", is_active=True).exists()
