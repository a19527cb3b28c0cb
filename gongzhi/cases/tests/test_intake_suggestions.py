"""The intake page's category suggestion, with a stand-in provider (the real classifier lives in
triage, above cases): shown as the operator types, confident → pre-selected, uncertain → said so
and nothing filled; the operator's final category goes to the recorder; no provider or a broken
one never stops a report."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gongzhi.cases import suggestions
from gongzhi.cases.models import Case
from gongzhi.cases.suggestions import CategorySuggestion

URL = "cases:intake_suggestion"


@pytest.fixture
def provider(centre):
    """A provider that is sure of 暴露垃圾 when the text says 垃圾, unsure of 上水井盖 otherwise;
    and a recorder that keeps what it is told."""
    saved = (list(suggestions._provider), list(suggestions._recorder))
    seen: list[str] = []
    verdicts: list[dict] = []

    def guess(text: str) -> CategorySuggestion:
        seen.append(text)
        if "垃圾" in text:
            return CategorySuggestion(
                centre.garbage.pk, 0.87, False, centre.world.orgs["chengguan"].pk, "暴露垃圾"
            )
        return CategorySuggestion(centre.manhole.pk, 0.31, True, None, "上水井盖")

    suggestions.register(guess, recorder=lambda **kw: verdicts.append(kw))
    yield seen, verdicts
    suggestions._provider[:], suggestions._recorder[:] = saved


def test_a_confident_suggestion_names_category_department_and_confidence(
    client, centre, provider, world
):
    client.force_login(world.operator)
    r = client.post(
        reverse(URL), {"title": "门口垃圾", "description": "垃圾堆了三天"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert 'data-testid="suggestion-category"' in page and "E0102 暴露垃圾" in page
    assert "城管中队" in page and "87%" in page
    assert f'data-gz-suggest-category="{centre.garbage.pk}"' in page  # the page pre-selects it
    assert f'name="suggested_category" value="{centre.garbage.pk}"' in page
    assert provider[0] == ["门口垃圾\n垃圾堆了三天"]
    assert r["Cache-Control"].startswith("max-age=0")


def test_an_uncertain_suggestion_says_so_and_fills_nothing(client, centre, provider, world):
    client.force_login(world.operator)
    page = client.post(reverse(URL), {"description": "楼下有点吵"}).content.decode()
    assert 'data-testid="suggestion-uncertain"' in page and "上水井盖" in page and "31%" in page
    assert 'data-gz-suggest-category=""' in page  # nothing to pre-select
    assert 'data-testid="suggestion-category"' not in page


def test_nothing_to_show_without_text_provider_or_when_it_fails(client, centre, provider, world):
    client.force_login(world.operator)
    assert client.post(reverse(URL), {"title": "", "description": ""}).content.strip() == b""
    assert provider[0] == []
    suggestions.register(lambda text: 1 / 0)  # a broken model
    r = client.post(reverse(URL), {"description": "垃圾"})
    assert r.status_code == 200 and r.content.strip() == b""
    suggestions._provider.clear()
    assert client.post(reverse(URL), {"description": "垃圾"}).content.strip() == b""


def test_a_very_long_text_is_cut_not_refused(client, centre, provider, world):
    client.force_login(world.operator)
    r = client.post(reverse(URL), {"title": "垃圾" * 250, "description": "圾" * 20000})
    assert r.status_code == 200 and "暴露垃圾" in r.content.decode()
    assert len(provider[0][0]) == 200 + 1 + suggestions.MAX_TEXT


def test_only_the_centre_asks_and_only_by_post(client, centre, provider, world):
    for persona in ("handler", "inspector", "resident_a"):
        client.force_login(world.users[persona])
        assert client.post(reverse(URL), {"description": "垃圾"}).status_code == 403
    client.logout()
    assert client.post(reverse(URL), {"description": "垃圾"}).status_code == 302  # to log in
    client.force_login(world.operator)
    assert client.get(reverse(URL), {"description": "垃圾"}).status_code == 405
    assert provider[0] == []


def test_the_intake_page_asks_as_the_operator_types(client, centre, provider, world):
    client.force_login(world.operator)
    page = client.get(reverse("cases:intake")).content.decode()
    assert f'hx-post="{reverse(URL)}"' in page and 'id="intake-suggestion"' in page
    assert 'data-testid="suggestion"' not in page  # nothing typed yet


def _report(centre, **kw):
    lat, lng = centre.point_in("a1")
    data = {
        "channel": "hotline",
        "type": "complaint",
        "category": centre.garbage.pk,
        "urgency": "normal",
        "title": "门口垃圾",
        "description": "兰溪路门口垃圾堆了三天",
        "lat": lat,
        "lng": lng,
    }
    data.update(kw)
    return data


def test_the_filed_category_is_recorded_against_the_shown_suggestion(
    client, centre, provider, world
):
    client.force_login(world.operator)
    r = client.post(reverse("cases:intake"), _report(centre, suggested_category=centre.garbage.pk))
    assert r.status_code == 302
    case = Case.objects.get()
    assert provider[1] == [
        {
            "actor": world.operator,
            "case_id": case.pk,
            "shown_category_id": centre.garbage.pk,
            "shown": None,  # no token: the recorder asks the provider for the filed text
        }
    ]
    # No suggestion shown (or garbage in the hidden field): nothing recorded.
    client.post(reverse("cases:intake"), _report(centre, suggested_category="x'; drop"))
    client.post(reverse("cases:intake"), _report(centre))
    assert Case.objects.count() == 3 and len(provider[1]) == 1


def _token(page: str) -> str:
    return re.search(r'name="suggestion_token" value="([^"]+)"', page).group(1)


def test_the_form_sends_back_the_suggestion_it_showed_for_the_text_filed(
    client, centre, provider, world
):
    client.force_login(world.operator)
    data = _report(centre)
    page = client.post(reverse(URL), {"title": data["title"], "description": data["description"]})
    token = _token(page.content.decode())
    r = client.post(reverse("cases:intake"), {**data, "suggestion_token": token})
    assert r.status_code == 302
    (verdict,) = provider[1]
    assert verdict["case_id"] == Case.objects.get().pk
    assert verdict["shown"] == CategorySuggestion(centre.garbage.pk, 0.87, False)
    assert verdict["shown_category_id"] == centre.garbage.pk
    # The text changed after the form showed it: the shown suggestion is not this text's.
    changed = {**data, "description": "楼下有点吵", "suggested_category": centre.garbage.pk}
    client.post(reverse("cases:intake"), {**changed, "suggestion_token": token})
    assert provider[1][1]["shown"] is None and provider[1][1]["shown_category_id"]
    # A token that is not ours counts for nothing.
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert suggestions.shown_for(forged, data["title"], data["description"]) is None
    assert suggestions.shown_for(token, data["title"], data["description"]) is not None
    assert suggestions.shown_for("x" * 600, "", "") is None


def test_a_broken_recorder_does_not_stop_the_report(client, centre, world):
    saved = (list(suggestions._provider), list(suggestions._recorder))

    def broken(**kw):
        raise RuntimeError("disk full")

    suggestions.register(lambda text: None, recorder=broken)
    try:
        client.force_login(world.operator)
        r = client.post(
            reverse("cases:intake"), _report(centre, suggested_category=centre.garbage.pk)
        )
        assert r.status_code == 302 and Case.objects.count() == 1
    finally:
        suggestions._provider[:], suggestions._recorder[:] = saved


def test_a_form_sent_back_with_errors_keeps_its_suggestion(client, centre, provider, world):
    client.force_login(world.operator)
    r = client.post(reverse("cases:intake"), _report(centre, reporter_phone="12345"))
    assert r.status_code == 400
    page = r.content.decode()
    assert 'data-testid="suggestion-category"' in page and "暴露垃圾" in page
    assert provider[1] == []
