"""Suggestions where cases are filed, with a served model: the intake page's suggestion and the
verdict its form records (accepted, corrected), and the triage API (suggest, imports' status,
hot spots) with the pages' permissions and clear answers to bad input."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.api.tests.conftest import ApiClient, token_for
from gongzhi.audit.models import AuditEvent
from gongzhi.cases import services
from gongzhi.cases.models import Case
from gongzhi.triage import classifier
from gongzhi.triage.models import ImportBatch, Suggestion
from gongzhi.triage.tests.test_classifier import synthetic

GARBAGE = {"title": "小区门口垃圾堆积", "description": "垃圾箱满了，每天臭味很大，希望尽快清运"}


@pytest.fixture
def served(triage, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    classifier._served.clear()
    classifier.train_version(synthetic(triage))
    yield triage
    classifier._served.clear()


_tokens = itertools.count()


def api_as(world, persona):
    return ApiClient(token_for(world.users[persona], f"tests {next(_tokens)}"))


def _report(t, **kw):
    lat, lng = t.point("a1")
    data = {
        "channel": "hotline",
        "type": "complaint",
        "category": t.garbage.pk,
        "urgency": "normal",
        **GARBAGE,
        "lat": lat,
        "lng": lng,
    }
    data.update(kw)
    return data


# --- the intake page ------------------------------------------------------------------------


def test_the_intake_page_suggests_the_served_models_category(client, served):
    client.force_login(served.world.operator)
    page = client.post(reverse("cases:intake_suggestion"), GARBAGE).content.decode()
    assert "暴露垃圾" in page and "城管中队" in page
    assert f'data-gz-suggest-category="{served.garbage.pk}"' in page
    unsure = client.post(reverse("cases:intake_suggestion"), {"description": "你好"})
    assert 'data-testid="suggestion-uncertain"' in unsure.content.decode()


def test_filing_the_suggested_category_accepts_it(client, served):
    w = served.world
    client.force_login(w.operator)
    r = client.post(reverse("cases:intake"), _report(served, suggested_category=served.garbage.pk))
    assert r.status_code == 302
    s = Suggestion.objects.get(case=Case.objects.get())
    assert (s.outcome, s.chosen, s.decided_by) == ("accepted", served.garbage, w.operator)
    assert AuditEvent.objects.filter(object_id=str(s.pk), note="intake form").exists()


def test_filing_another_category_corrects_it_and_is_training_data(client, served):
    client.force_login(served.world.operator)
    data = _report(served, category=served.parking.pk, suggested_category=served.garbage.pk)
    assert client.post(reverse("cases:intake"), data).status_code == 302
    case = Case.objects.get()
    s = Suggestion.objects.get(case=case)
    assert (s.category, s.outcome, s.chosen) == (served.garbage, "corrected", served.parking)
    assert case.category == served.parking  # the operator's choice stands
    assert classifier.cases_as_labelled().labels == [str(served.parking.pk)]


def test_a_suggestion_the_form_did_not_show_waits_for_a_verdict(
    client, served, django_capture_on_commit_callbacks
):
    client.force_login(served.world.operator)
    # The text changed after the form showed 机动车乱停放: the kept suggestion is another one.
    data = _report(served, suggested_category=served.parking.pk)
    assert client.post(reverse("cases:intake"), data).status_code == 302
    assert Suggestion.objects.get().outcome == "pending"
    # Filed without the suggestion shown (no script, typed too fast): waits too, made by the
    # worker after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("cases:intake"), _report(served)).status_code == 302
    assert list(Suggestion.objects.values_list("outcome", flat=True)) == ["pending", "pending"]


def test_the_suggestion_the_form_showed_is_kept_without_asking_the_model_again(
    client, served, monkeypatch, django_capture_on_commit_callbacks
):
    w = served.world
    client.force_login(w.operator)
    page = client.post(reverse("cases:intake_suggestion"), GARBAGE).content.decode()
    token = page.split('name="suggestion_token" value="', 1)[1].split('"', 1)[0]
    asked: list[str] = []
    real = classifier.classify
    monkeypatch.setattr(classifier, "classify", lambda text: asked.append(text) or real(text))
    data = _report(served, category=served.parking.pk, suggestion_token=token)
    with django_capture_on_commit_callbacks(execute=True):  # and the worker after the commit
        assert client.post(reverse("cases:intake"), data).status_code == 302
    assert asked == []  # neither the filing nor the worker asked the model
    s = Suggestion.objects.get(case=Case.objects.get())
    served_version = classifier.served_model()[0]
    assert (s.category, s.outcome, s.chosen, s.decided_by) == (
        served.garbage,
        "corrected",
        served.parking,
        w.operator,
    )
    assert s.model == served_version and 0 < s.confidence <= 1 and not s.uncertain
    assert AuditEvent.objects.filter(object_id=str(s.pk), note="intake form").exists()


def test_cases_from_the_api_get_their_suggestion_after_the_commit(
    served, django_capture_on_commit_callbacks
):
    api = api_as(served.world, "operator")
    lat, lng = served.point("a1")
    body = {
        "channel": "hotline",
        "type": "complaint",
        "category": served.parking.pk,
        **GARBAGE,
        "lat": lat,
        "lng": lng,
    }
    with django_capture_on_commit_callbacks(execute=True) as queued:
        r = api.post("/cases", body)
        assert r.status_code == 201, r.content
        assert not Suggestion.objects.exists()  # not in the filing's transaction
    assert queued
    s = Suggestion.objects.get()
    assert (s.category, s.outcome) == (served.garbage, "pending")


# --- POST /api/v1/triage/suggest -----------------------------------------------------------


def test_the_api_suggests_category_department_and_confidence(served):
    r = api_as(served.world, "operator").post("/triage/suggest", GARBAGE)
    assert r.status_code == 200, r.content
    body = r.json()
    s = body["suggestion"]
    assert s["category"] == {"id": served.garbage.pk, "code": "E0102", "name": "暴露垃圾"}
    assert s["department"]["name"] == "城管中队"
    assert 0.5 <= s["confidence"] <= 1 and s["uncertain"] is False
    assert body["threshold"] == classifier.THRESHOLD
    unsure = api_as(served.world, "duty_chief").post("/triage/suggest", {"description": "你好"})
    assert unsure.json()["suggestion"]["uncertain"] is True
    assert unsure.json()["suggestion"]["confidence"] < classifier.THRESHOLD
    assert Suggestion.objects.count() == 0  # asking stores nothing


def test_without_a_model_the_api_answers_no_suggestion(triage, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    classifier._served.clear()
    r = api_as(triage.world, "operator").post("/triage/suggest", GARBAGE)
    assert r.status_code == 200 and r.json()["suggestion"] is None


def test_the_api_refuses_bad_input_clearly_and_others_than_the_centre(served):
    op = api_as(served.world, "operator")
    empty = op.post("/triage/suggest", {"title": " ", "description": ""})
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "description"
    long = op.post("/triage/suggest", {"description": "垃" * 4001})
    assert long.status_code == 422 and long.json()["errors"][0]["field"].endswith("description")
    assert op.post("/triage/suggest", {"description": "垃圾\x00"}).status_code == 422
    assert op.post("/triage/suggest", {"description": 12}).status_code == 422
    for persona in ("handler", "inspector", "leader", "auditor"):
        r = api_as(served.world, persona).post("/triage/suggest", GARBAGE)
        assert r.status_code == 403 and r.json()["code"] == "forbidden", persona
    assert ApiClient(None).post("/triage/suggest", GARBAGE).status_code == 401


# --- imports and hot spots, read-only --------------------------------------------------------


def test_the_imports_status_for_the_centre_and_auditors(triage, world):
    b = ImportBatch.objects.create(
        profile=triage.profile,
        filename="工单.xlsx",
        file="triage/imports/x.xlsx",
        state=ImportBatch.State.CHECKED,
        rows=12,
        bad_rows=1,
        problem_count=1,
        problems=[[5, "受理时间", "没有这一天"]],
        created_by=world.operator,
    )
    for persona in ("operator", "auditor"):
        page = api_as(world, persona).get("/triage/imports")
        assert page.status_code == 200
        assert [i["id"] for i in page.json()["items"]] == [b.pk]
    one = api_as(world, "duty_chief").get(f"/triage/imports/{b.pk}").json()
    assert (one["state"], one["rows"], one["bad_rows"], one["progress"]) == ("checked", 12, 1, 100)
    assert one["problems"] == [{"row": 5, "column": "受理时间", "message": "没有这一天"}]
    assert api_as(world, "operator").get("/triage/imports", {"state": "done"}).json()["items"] == []
    assert api_as(world, "operator").get("/triage/imports", {"state": "x"}).status_code == 422
    assert api_as(world, "operator").get("/triage/imports/999999").status_code == 404
    for persona in ("handler", "inspector", "leader"):
        assert api_as(world, persona).get("/triage/imports").status_code == 403
        assert api_as(world, persona).get(f"/triage/imports/{b.pk}").status_code == 403


def test_hot_spots_for_those_who_see_them_without_personal_data(triage, world):
    lat, lng = triage.point("a1")
    for n in range(3):
        services.case_intake(
            actor=world.operator,
            channel="hotline",
            type="complaint",
            category=triage.garbage,
            title="兰溪路10号垃圾堆积",
            description=f"垃圾堆积没人清运 {n}",
            lat=lat,
            lng=lng,
            reporter_name=f"居民{n}",
            reporter_phone=f"1391234567{n}",
        )
    r = api_as(world, "leader").get("/triage/hot-spots")
    assert r.status_code == 200, r.content
    spots = r.json()
    assert spots and spots[0]["cases"] == 3 and spots[0]["reporters"] == 3
    assert "1391234567" not in r.content.decode() and "居民0" not in r.content.decode()
    today = timezone.localdate()
    bad = api_as(world, "operator").get(
        "/triage/hot-spots", {"since": str(today), "until": str(today - dt.timedelta(days=1))}
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "since"
    far = api_as(world, "operator").get("/triage/hot-spots", {"since": "2020-01-01"})
    assert far.status_code == 400
    assert (
        api_as(world, "operator").get("/triage/hot-spots", {"since": "2026-13-01"}).status_code
        == 422
    )
    for far in ({"until": "0001-01-01"}, {"since": "9999-12-31"}):  # no overflow, a clear 422
        assert api_as(world, "operator").get("/triage/hot-spots", far).status_code == 422
    for persona in ("handler", "inspector", "resident_a"):
        assert api_as(world, persona).get("/triage/hot-spots").status_code == 403
