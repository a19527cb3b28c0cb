"""Personal API tokens and the session: who the API lets in, and as whom."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.api import services
from gongzhi.api.models import ApiToken
from gongzhi.api.tests.conftest import ApiClient, token_for
from gongzhi.audit.models import AuditEvent


def _error(r, status, code):
    assert r.status_code == status, r.content
    body = r.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], list)
    return body


def test_a_token_acts_as_its_user_with_their_roles(world):
    r = ApiClient(token_for(world.handler)).get("/me")
    assert r.status_code == 200
    me = r.json()
    assert me["username"] == "handler"
    assert "department" in me["roles"]
    assert me["department_ids"] == [world.orgs["chengguan"].pk]
    assert me["token"]["name"] == "tests"


def test_without_credentials_every_operation_is_refused_with_401(world):
    r = ApiClient(None).get("/me")
    body = _error(r, 401, "unauthenticated")
    assert "Bearer" in body["message"]
    assert r["WWW-Authenticate"].startswith("Bearer")
    _error(ApiClient(None).post("/cases", {}), 401, "unauthenticated")


def test_a_wrong_or_malformed_token_is_refused(world):
    secret = token_for(world.operator)
    _error(ApiClient(secret[:-2] + "xx").get("/me"), 401, "unauthenticated")
    _error(ApiClient("not-a-token").get("/me"), 401, "unauthenticated")
    c = ApiClient(None, Authorization=f"Token {secret}")
    _error(c.get("/me"), 401, "unauthenticated")


def test_a_revoked_token_is_refused_at_once(world):
    new = services.token_create(actor=world.operator, user=world.operator, name="bridge")
    client = ApiClient(new.secret)
    assert client.get("/me").status_code == 200
    services.token_revoke(actor=world.operator, token=new.token)
    body = _error(client.get("/me"), 401, "unauthenticated")
    assert "吊销" in body["message"]  # Chinese unless the client asks for another language
    assert AuditEvent.objects.filter(object_repr__contains="bridge", action="archive").exists()


def test_an_expired_token_and_an_inactive_user_are_refused(world):
    new = services.token_create(
        actor=world.operator,
        user=world.operator,
        name="short",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    ApiToken.objects.filter(pk=new.token.pk).update(expires_at=timezone.now())
    assert "过期" in _error(ApiClient(new.secret).get("/me"), 401, "unauthenticated")["message"]
    other = token_for(world.leader)
    world.leader.is_active = False
    world.leader.save()
    _error(ApiClient(other).get("/me"), 401, "unauthenticated")


def test_the_secret_is_stored_hashed_and_the_last_use_is_recorded(world):
    new = services.token_create(actor=world.operator, user=world.operator, name="hashed")
    row = ApiToken.objects.get(pk=new.token.pk)
    assert new.secret not in (row.secret_hash, row.prefix)
    assert new.secret.startswith(f"gzt_{row.prefix}_")
    assert row.last_used_at is None
    ApiClient(new.secret).get("/me", REMOTE_ADDR="10.1.2.3")
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_a_user_cannot_make_or_revoke_tokens_for_someone_else(world):
    import pytest

    from gongzhi.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.token_create(actor=world.handler, user=world.operator, name="x")
    mine = services.token_create(actor=world.operator, user=world.operator, name="mine")
    with pytest.raises(NotAllowed):
        services.token_revoke(actor=world.handler, token=mine.token)
    # An administrator may do both.
    theirs = services.token_create(actor=world.admin, user=world.operator, name="for operator")
    services.token_revoke(actor=world.admin, token=theirs.token)


def test_the_session_works_for_reads_and_needs_csrf_for_writes(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.operator)
    assert c.get("/api/v1/me").json()["username"] == "operator"
    r = c.post("/api/v1/cases", "{}", content_type="application/json")
    _error(r, 403, "csrf_failed")
    c.get(reverse("core:home"))  # sets the CSRF cookie, as any page does
    token = c.cookies["csrftoken"].value
    r = c.post("/api/v1/cases", "{}", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    _error(r, 422, "invalid")  # past authentication and CSRF: the body is what is wrong


def test_too_many_requests_get_429_with_retry_after(world, settings):
    from django.core.cache import cache

    settings.GONGZHI = {**settings.GONGZHI, "API_REQUESTS_PER_MINUTE": 3}
    cache.clear()
    client = ApiClient(token_for(world.operator))
    for _ in range(3):
        assert client.get("/me").status_code == 200
    r = client.get("/me")
    _error(r, 429, "throttled")
    assert 1 <= int(r["Retry-After"]) <= 60
    cache.clear()


def test_a_program_chooses_its_language_the_site_keeps_its_own(world):
    secret = token_for(world.operator)
    assert ApiClient(secret).get("/me")["Content-Language"] == "zh-hans"
    r = ApiClient(secret, **{"Accept-Language": "en-US,en;q=0.9"}).get("/me")
    assert r["Content-Language"] == "en"
    assert r.json()["language"] == "en"
    c = Client()
    c.force_login(world.operator)
    r = c.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert r["Content-Language"] == "zh-hans"


# --- the account page --------------------------------------------------------------------


def test_the_tokens_page_shows_a_new_secret_once_and_revokes(world):
    c = Client()
    c.force_login(world.handler)
    url = reverse("api_tokens:list")
    r = c.post(url, {"name": "12345 bridge"})
    assert r.status_code == 200
    token = ApiToken.objects.get(user=world.handler, name="12345 bridge")
    html = r.content.decode()
    assert f"gzt_{token.prefix}_" in html and 'data-testid="token-secret"' in html
    secret = html.split('data-testid="token-secret"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert ApiClient(secret).get("/me").json()["username"] == "handler"
    # Shown once: the list only has the prefix from now on.
    again = c.get(url).content.decode()
    assert secret not in again and f"gzt_{token.prefix}_…" in again
    # The same name twice is refused with a message next to the field.
    r = c.post(url, {"name": "12345 bridge"})
    assert r.status_code == 400 and ApiToken.objects.filter(user=world.handler).count() == 1
    r = c.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiClient(secret).get("/me").status_code == 401


def test_nobody_sees_or_revokes_anothers_token_from_the_page(world):
    theirs = services.token_create(actor=world.operator, user=world.operator, name="theirs")
    c = Client()
    c.force_login(world.handler)
    assert "theirs" not in c.get(reverse("api_tokens:list")).content.decode()
    r = c.post(reverse("api_tokens:revoke", args=[theirs.token.pk]))
    assert r.status_code == 404
    theirs.token.refresh_from_db()
    assert theirs.token.revoked_at is None


def test_an_administrator_issues_a_token_in_the_back_office(world):
    world.admin.is_staff = True
    world.admin.save()
    c = Client()
    c.force_login(world.admin)
    r = c.post(
        reverse("admin:api_apitoken_add"),
        {"user": world.inspector.pk, "name": "patrol app", "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )
    assert r.status_code == 200
    token = ApiToken.objects.get(user=world.inspector, name="patrol app")
    assert token.created_by == world.admin
    assert f"gzt_{token.prefix}_" in r.content.decode()
