"""Logging in and out, the log-in rate limit, password reset by e-mail, and error pages."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from tests.helpdesk_factories import immediate_tasks  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_login_lands_on_my_work_of_the_only_affiliate(member_a):
    client = Client()
    response = client.post(
        reverse("login"), {"username": "alice", "password": "correct horse battery"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("partners:my_work", kwargs={"slug": "alpha"})
    assert b"My work" in response.content


def test_wrong_password_explains_without_revealing_which_part(member_a):
    response = Client().post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


@override_settings(HUB_LOGIN_RATE="3/h")  # an hour: four slow logins never straddle a window
def test_login_is_rate_limited_per_username_across_addresses(member_a):
    for i in range(3):
        Client(REMOTE_ADDR=f"10.0.0.{i}").post(
            reverse("login"), {"username": "alice", "password": "bad"}
        )
    response = Client(REMOTE_ADDR="10.0.0.99").post(
        reverse("login"), {"username": "alice", "password": "correct horse battery"}
    )
    assert response.status_code == 429
    assert b"Too many log-in attempts" in response.content


@override_settings(HUB_LOGIN_RATE="3/h")  # an hour: four slow logins never straddle a window
def test_login_is_rate_limited_per_address_and_forwarded_header_does_not_reset(member_a):
    for i in range(3):
        Client().post(
            reverse("login"),
            {"username": f"guess{i}", "password": "bad"},
            HTTP_X_FORWARDED_FOR=f"1.2.3.{i}",
        )
    response = Client().post(
        reverse("login"), {"username": "alice", "password": "x"}, HTTP_X_FORWARDED_FOR="9.9.9.9"
    )
    assert response.status_code == 429


def test_logout_needs_post_and_ends_the_session(client_a):
    response = client_a.post(reverse("logout"))
    assert response.status_code == 302
    assert client_a.get(reverse("partners:my_work", kwargs={"slug": "alpha"})).status_code == 302


@pytest.mark.usefixtures("immediate_tasks")
def test_password_reset_sends_a_working_link(member_a, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "alice@example.org"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link[link.index("/password-reset/") :].strip()
    response = client.get(path, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert response.status_code == 302
    assert Client().login(username="alice", password="a brand new passphrase")


def test_password_reset_for_unknown_address_says_the_same(db):
    response = Client().post(
        reverse("password_reset"), {"email": "nobody@example.org"}, follow=True
    )
    assert b"Check your e-mail" in response.content
    assert len(mail.outbox) == 0


def test_server_error_page_reveals_nothing(rf):
    from hub.core.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"Traceback" not in response.content


def test_pages_carry_security_headers(client_a):
    response = client_a.get(reverse("partners:organisation_list", kwargs={"slug": "alpha"}))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
