"""The intake page's category suggestion in headless Chromium: the operator types a description,
the suggestion appears with its confidence and picks the category; an unclear text is marked
uncertain and the pick is taken back; a category the operator chose themselves is never
overwritten; the filed case keeps the verdict."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.accounts.tests.factories import PASSWORD
from gongzhi.cases.models import Case
from gongzhi.testing.browser import login
from gongzhi.triage import classifier
from gongzhi.triage.models import Suggestion
from gongzhi.triage.tests.test_classifier import synthetic

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_typing_a_description_shows_the_suggestion_and_picks_the_category(
    page, triage, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    classifier._served.clear()
    classifier.train_version(synthetic(triage))
    login(page, "operator", PASSWORD)
    page.goto(f"{page.base_url}/cases/new/")
    category = page.locator("#id_category")
    suggestion = page.locator("[data-testid=suggestion]")
    expect(suggestion).to_have_count(0)

    page.fill("#id_description", "垃圾箱满了，每天臭味很大，希望尽快清运")
    expect(page.locator("[data-testid=suggestion-category]")).to_contain_text("暴露垃圾")
    expect(page.locator("[data-testid=suggestion-confidence]")).to_contain_text("%")
    expect(suggestion).to_contain_text("城管中队")
    expect(category).to_have_value(str(triage.garbage.pk))

    # Unclear: said to be uncertain, and what the suggestion had picked is taken back.
    page.fill("#id_description", "你好，请问一下")
    expect(page.locator("[data-testid=suggestion-uncertain]")).to_be_visible()
    expect(category).to_have_value("")

    # The operator's own choice stays, whatever the suggestion says next.
    category.select_option(str(triage.property.pk))
    page.fill("#id_description", "门口垃圾堆积，垃圾箱满了，臭味很大，希望尽快清运保洁")
    expect(page.locator("[data-testid=suggestion-category]")).to_contain_text("暴露垃圾")
    expect(category).to_have_value(str(triage.property.pk))

    page.select_option("#id_channel", "hotline")
    page.select_option("#id_type", "complaint")
    page.fill("#id_address", "兰溪路10号")
    with page.expect_navigation():
        page.click("[data-testid=submit-intake]")
    case = Case.objects.get()
    assert case.category == triage.property
    s = Suggestion.objects.get(case=case)
    assert (s.category, s.outcome, s.chosen) == (triage.garbage, "corrected", triage.property)
    classifier._served.clear()
