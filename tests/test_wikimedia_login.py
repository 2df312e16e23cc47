"""Log in with Wikimedia: OAuth 2.0 against a stand-in Meta-Wiki built from recorded replies.

The stand-in (tests/wikiserver.py) answers the token endpoint with the bodies Meta-Wiki really
sent (shared/fixtures/wikimedia-oauth/, flickypedia's cassettes) and the profile endpoint with
django-allauth's profile payload corrected to the real endpoint's shape (`sub` a string,
`email_verified` present), as the fixtures' README says. Nothing of allauth or of ours is
mocked: the Django test client drives our views, allauth makes real HTTP requests through
hub.wikimedia to the stand-in.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from allauth.socialaccount.providers.mediawiki.views import MediaWikiOAuth2Adapter
from django.test import Client
from django.utils import timezone

from hub.core import wikimedia_login
from hub.core.models import AuditEvent, User
from hub.uploads import credentials
from hub.uploads import services as upload_services
from tests import factories
from tests.wikiserver import RecordedServer, Reply

PASSWORD = "correct horse battery"  # tests/factories.py


def recorded(fixtures_dir: Any, name: str, index: int = 0) -> dict[str, Any]:
    data = json.loads((fixtures_dir / "wikimedia-oauth" / name).read_text())
    return data["interactions"][index]["response"]


def profile(fixtures_dir: Any, **changes: Any) -> dict[str, Any]:
    payload = json.loads(
        (
            fixtures_dir / "wikimedia-oauth" / "allauth_mediawiki_tests_profile_payload.json"
        ).read_text()
    )
    # The real endpoint: `sub` is a string and `email_verified` is sent with the address.
    payload["sub"] = str(payload["sub"])
    payload["email_verified"] = True
    payload.update(changes)
    return payload


@pytest.fixture
def meta(wiki_server: RecordedServer, settings: Any, monkeypatch: Any, fixtures_dir: Any) -> Any:
    """Configure a consumer and point allauth's MediaWiki provider at the stand-in."""
    rest = wiki_server.url("/w/rest.php")
    settings.HUB_WIKIMEDIA_OAUTH_CLIENT_ID = "client1234"
    settings.HUB_WIKIMEDIA_OAUTH_CLIENT_SECRET = "secret1234"
    providers = json.loads(json.dumps(settings.SOCIALACCOUNT_PROVIDERS))
    providers["mediawiki"]["APPS"] = [{"client_id": "client1234", "secret": "secret1234"}]
    providers["mediawiki"]["REST_API"] = rest
    settings.SOCIALACCOUNT_PROVIDERS = providers
    # The provider reads its endpoints once, when imported: aim them at the stand-in.
    monkeypatch.setattr(MediaWikiOAuth2Adapter, "access_token_url", f"{rest}/oauth2/access_token")
    monkeypatch.setattr(MediaWikiOAuth2Adapter, "authorize_url", f"{rest}/oauth2/authorize")
    monkeypatch.setattr(MediaWikiOAuth2Adapter, "profile_url", f"{rest}/oauth2/resource/profile")
    granted = recorded(fixtures_dir, "flickypedia_test_can_get_token_from_wikimedia.json")
    wiki_server.add("/w/rest.php/oauth2/access_token", Reply(granted["body_json"]))
    wiki_server.add("/w/rest.php/oauth2/resource/profile", Reply(profile(fixtures_dir)))
    return wiki_server


def start(client: Client, **data: str) -> str:
    """Press "Log in with Wikimedia"; return the state Meta-Wiki is sent."""
    response = client.post("/accounts/mediawiki/login/", data)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path.endswith("/w/rest.php/oauth2/authorize")
    query = parse_qs(location.query)
    assert query["client_id"] == ["client1234"]
    assert query["response_type"] == ["code"]
    return query["state"][0]


def come_back(client: Client, state: str, follow: bool = False, **params: str) -> Any:
    """Return from Meta-Wiki to the callback, as the browser would after the person agreed."""
    return client.get(
        "/accounts/mediawiki/login/callback/", {"state": state, **params}, follow=follow
    )


@pytest.mark.django_db
def test_first_wikimedia_log_in_creates_an_account_and_shows_the_username(
    meta: RecordedServer, fixtures_dir: Any
) -> None:
    client = Client()
    page = client.get("/login/").content.decode()
    assert "Log in with Wikimedia" in page
    state = start(client)
    response = come_back(client, state, code="authcode")
    assert response.status_code == 302
    account = SocialAccount.objects.get(provider="mediawiki")
    assert account.uid == "12345"
    user = account.user
    assert user.email == "johndoe@example.com"
    # The code was exchanged with the consumer's secret, then the profile read with the token.
    token_request = next(s for s in meta.seen if s.path.endswith("/access_token"))
    assert token_request.form["grant_type"] == "authorization_code"
    assert token_request.form["code"] == "authcode"
    profile_request = next(s for s in meta.seen if s.path.endswith("/profile"))
    assert profile_request.headers["Authorization"] == "Bearer [ACCESS_TOKEN...sqfLY]"
    assert profile_request.headers["User-Agent"].startswith("PartnershipsHub/")
    assert token_request.headers["User-Agent"].startswith("PartnershipsHub/")
    # The tokens are kept (for uploads made as this person), sealed: not readable in the database.
    kept = SocialToken.objects.get(account=account)
    assert wikimedia_login.open_token(kept.token_secret) == "[REFRESH_TOKEN...8f34f]"
    assert wikimedia_login.open_token(kept.token) == "[ACCESS_TOKEN...sqfLY]"
    assert "TOKEN" not in kept.token + kept.token_secret
    # Logged in; the account page names the Wikimedia account and links its user page.
    page = client.get("/account/").content.decode()
    assert "<bdi>John Doe</bdi>" in page
    assert "https://meta.wikimedia.org/wiki/User:John_Doe" in page
    # Logging in again finds the same account.
    client.logout()
    come_back(client, start(client), code="authcode")
    assert User.objects.filter(socialaccount__provider="mediawiki").count() == 1


@pytest.mark.django_db
def test_a_refused_grant_or_a_wrong_state_logs_no_one_in(meta: RecordedServer) -> None:
    client = Client()
    state = start(client)
    refused = come_back(client, state, follow=True, error="access_denied")
    assert refused.status_code == 200
    assert "Logging in with Wikimedia was cancelled" in refused.content.decode()
    assert not SocialAccount.objects.exists()
    # A state that Meta-Wiki was never sent: refused before any token request.
    start(client)
    forged = come_back(client, "not-our-state", code="authcode")
    assert forged.status_code == 401
    assert "Logging in with Wikimedia did not work" in forged.content.decode()
    assert not any(s.path.endswith("/access_token") for s in meta.seen)
    assert not SocialAccount.objects.exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_replayed_state_is_refused(meta: RecordedServer) -> None:
    first = Client()
    state = start(first)
    come_back(first, state, code="authcode")
    assert SocialAccount.objects.count() == 1
    # The same callback, replayed by another browser that never started a log-in.
    other = Client()
    replay = come_back(other, state, code="authcode")
    assert replay.status_code == 401
    assert "_auth_user_id" not in other.session


@pytest.mark.django_db
def test_a_consumer_meta_wiki_refuses_gives_an_error_page_not_a_crash(
    meta: RecordedServer, fixtures_dir: Any
) -> None:
    name = "flickypedia_TestOAuth2CallbackWikimedia.test_bad_token_from_wikimedia_is_error.json"
    refused = recorded(fixtures_dir, name)
    meta.add(
        "/w/rest.php/oauth2/access_token",
        Reply(refused["body_json"], status=refused["status_code"]),
    )
    client = Client()
    response = come_back(client, start(client), code="123")
    assert response.status_code == 401
    assert "Logging in with Wikimedia did not work" in response.content.decode()
    assert not SocialAccount.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_an_e_mail_address_alone_never_opens_an_existing_account(
    meta: RecordedServer, affiliate_a: Any
) -> None:
    local = factories.member(affiliate_a, username="john")
    local.email = "JohnDoe@example.com"
    local.save()
    client = Client()
    response = come_back(client, start(client), code="authcode")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert not SocialAccount.objects.exists()
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session
    page = client.get("/login/").content.decode()
    assert "Log in with its password, then link your Wikimedia account" in page
    # After logging in with the password, the person links the Wikimedia account.
    assert client.login(username="john", password=PASSWORD)
    state = start(client, process="connect")
    linked = come_back(client, state, code="authcode")
    assert linked.status_code == 302
    assert linked["Location"] == "/account/"
    assert SocialAccount.objects.get(provider="mediawiki").user == local
    # From now on Wikimedia opens that same account.
    client.logout()
    come_back(client, start(client), code="authcode")
    assert int(client.session["_auth_user_id"]) == local.pk


@pytest.mark.django_db
def test_local_accounts_still_log_in_and_without_a_consumer_no_button(
    settings: Any, affiliate_a: Any
) -> None:
    settings.HUB_WIKIMEDIA_OAUTH_CLIENT_ID = ""
    factories.member(affiliate_a, username="carol")
    client = Client()
    page = client.get("/login/").content.decode()
    assert "Log in with Wikimedia" not in page
    response = client.post("/login/", {"username": "carol", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_hub_staff_require_wikimedia_log_in(meta: RecordedServer, affiliate_a: Any) -> None:
    staff = factories.member(affiliate_a, username="stella")
    staff.is_hub_staff = True
    staff.save()
    admin = Client()
    admin.force_login(staff)
    response = admin.post("/hub/login-policy/", {"require_wikimedia": "on"})
    assert response.status_code == 302
    assert wikimedia_login.wikimedia_required()
    assert AuditEvent.objects.filter(action="hub.login_policy_changed").exists()

    # A person without a Wikimedia account: the password only opens the linking page.
    factories.member(affiliate_a, username="dora")
    client = Client()
    response = client.post("/login/", {"username": "dora", "password": PASSWORD})
    assert response["Location"] == "/account/"
    assert client.get("/a/alpha/").status_code == 302
    assert client.get("/a/alpha/")["Location"] == "/account/"
    assert "Link your Wikimedia account" in client.get("/account/").content.decode()
    come_back(client, start(client, process="connect"), code="authcode")
    assert SocialAccount.objects.get().user.username == "dora"
    assert client.get("/a/alpha/").status_code == 200

    # Once linked, the password is refused: Wikimedia it is.
    other = Client()
    refused = other.post("/login/", {"username": "dora", "password": PASSWORD})
    assert refused.status_code == 200
    assert "asks everyone to log in with Wikimedia" in refused.content.decode()
    assert "_auth_user_id" not in other.session
    # Superusers keep their password, so the Hub cannot lock itself out.
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    assert root.pk
    assert other.post("/login/", {"username": "root", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_only_hub_staff_set_the_policy_and_not_without_a_consumer(
    client_a: Client, settings: Any, affiliate_a: Any
) -> None:
    assert client_a.get("/hub/login-policy/").status_code in {403, 404}
    settings.HUB_WIKIMEDIA_OAUTH_CLIENT_ID = ""
    staff = factories.member(affiliate_a, username="stella")
    staff.is_hub_staff = True
    staff.save()
    admin = Client()
    admin.force_login(staff)
    response = admin.post("/hub/login-policy/", {"require_wikimedia": "on"})
    assert response.status_code == 400
    assert "not configured" in response.content.decode()
    assert not wikimedia_login.wikimedia_required()


# Upload as me: a batch sends with the person's own Wikimedia log-in, its token renewed.


def linked(user: Any, *, expires_in_minutes: int) -> SocialToken:
    account = SocialAccount.objects.create(
        user=user, provider="mediawiki", uid="12345", extra_data={"username": "John Doe"}
    )
    return SocialToken.objects.create(
        account=account,
        token="[ACCESS_TOKEN...sqfLY]",
        token_secret="[REFRESH_TOKEN...8f34f]",
        expires_at=timezone.now() + dt.timedelta(minutes=expires_in_minutes),
    )


@pytest.fixture
def batch(
    meta: RecordedServer, affiliate_a: Any, member_a: Any, settings: Any, tmp_path: Any
) -> Any:
    settings.HUB_UPLOADS_DIR = tmp_path / "uploads"
    partnership = factories.partnership(affiliate_a, actor=member_a, title="Nordic Museum")
    return upload_services.create_batch(
        actor=member_a, partnership=partnership, title="As me", wiki_url=meta.url("/w/api.php")
    )


@pytest.mark.django_db
def test_upload_as_me_is_offered_once_linked_and_keeps_no_token_in_the_batch(
    meta: RecordedServer, batch: Any, member_a: Any, client_a: Client
) -> None:
    url = f"/a/alpha/uploads/{batch.pk}/account/"
    page = client_a.get(url).content.decode()
    assert "upload as me" not in page
    assert "link your Wikimedia account" in page
    refused = client_a.post(url, {"kind": credentials.WIKIMEDIA_LOGIN})
    assert refused.status_code == 200
    batch.refresh_from_db()
    assert not batch.account_kind

    linked(member_a, expires_in_minutes=120)
    assert "upload as me" in client_a.get(url).content.decode()
    response = client_a.post(url, {"kind": credentials.WIKIMEDIA_LOGIN})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.account_kind == credentials.WIKIMEDIA_LOGIN
    assert batch.account_name == "John Doe"
    assert credentials.unseal(batch.account_secret) == {"user_id": member_a.pk}
    # Signing a client in puts the person's current token on its requests.
    client = credentials.new_client(batch)
    credentials.account_for(batch).sign_in(client)
    assert client.http.session.headers["Authorization"] == "Bearer [ACCESS_TOKEN...sqfLY]"
    assert not any(s.path.endswith("/access_token") for s in meta.seen)


@pytest.mark.django_db
def test_a_token_about_to_expire_is_renewed_once(
    meta: RecordedServer, member_a: Any, fixtures_dir: Any
) -> None:
    renewed = recorded(
        fixtures_dir, "flickypedia_test_token_is_saved_to_database_when_refreshed.json"
    )
    meta.add("/w/rest.php/oauth2/access_token", Reply(renewed["body_json"]))
    token = linked(member_a, expires_in_minutes=2)
    assert wikimedia_login.access_token_for(member_a.pk) == "[ACCESS_TOKEN...cq6IE]"
    token.refresh_from_db()
    assert wikimedia_login.open_token(token.token_secret) == "[REFRESH_TOKEN...6fee2]"
    assert "TOKEN" not in token.token + token.token_secret
    assert token.expires_at > timezone.now() + dt.timedelta(hours=3)
    sent = [s for s in meta.seen if s.path.endswith("/access_token")]
    assert len(sent) == 1
    assert sent[0].form["grant_type"] == "refresh_token"
    assert sent[0].form["refresh_token"] == "[REFRESH_TOKEN...8f34f]"
    # Fresh now: no second renewal.
    assert wikimedia_login.access_token_for(member_a.pk) == "[ACCESS_TOKEN...cq6IE]"
    assert len([s for s in meta.seen if s.path.endswith("/access_token")]) == 1


@pytest.mark.django_db
def test_a_refused_renewal_pauses_the_batch_with_what_to_do(
    meta: RecordedServer, batch: Any, member_a: Any, fixtures_dir: Any
) -> None:
    name = "flickypedia_TestLoadUser.test_user_with_inactive_token_is_no_user.json"
    refused = recorded(fixtures_dir, name)
    meta.add(
        "/w/rest.php/oauth2/access_token",
        Reply(refused["body_json"], status=refused["status_code"]),
    )
    linked(member_a, expires_in_minutes=-5)
    upload_services.set_account(
        actor=member_a, batch=batch, kind=credentials.WIKIMEDIA_LOGIN, name="", secret=""
    )
    batch.refresh_from_db()
    with pytest.raises(credentials.AccountMissing) as caught:
        credentials.account_for(batch).sign_in(credentials.new_client(batch))
    assert "The refresh token is invalid" in caught.value.message
    assert "Log in with Wikimedia again" in caught.value.message
    # No log-in kept at all: the same words, no request.
    SocialToken.objects.all().delete()
    with pytest.raises(wikimedia_login.TokenUnavailable):
        wikimedia_login.access_token_for(member_a.pk)


@pytest.mark.django_db
def test_kept_tokens_are_sealed_and_a_changed_secret_key_asks_to_log_in_again(
    member_a: Any, settings: Any
) -> None:
    token = linked(member_a, expires_in_minutes=120)
    # The object that saved keeps its tokens in clear; the database row has only sealed ones.
    assert token.token == "[ACCESS_TOKEN...sqfLY]"
    columns = SocialToken.objects.values_list("token", "token_secret").get()
    assert all(c.startswith(wikimedia_login.SEALED) and "TOKEN" not in c for c in columns)
    assert wikimedia_login.access_token_for(member_a.pk) == "[ACCESS_TOKEN...sqfLY]"
    # A token kept before sealing still works, and is sealed the next time it is saved.
    SocialToken.objects.update(token="[OLD_ACCESS]", token_secret="[OLD_REFRESH]")
    assert wikimedia_login.access_token_for(member_a.pk) == "[OLD_ACCESS]"
    kept = SocialToken.objects.get()
    kept.save()
    assert SocialToken.objects.values_list("token", flat=True).get().startswith("sealed:")
    # The secret key rotated without a fallback: no crash, the person is asked to log in again.
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(wikimedia_login.TokenUnavailable) as caught:
        wikimedia_login.access_token_for(member_a.pk)
    assert "Log in with Wikimedia again" in caught.value.message
