"""The classifier's life cycle: train, evaluate, refuse a worse model, serve; suggestions on new
cases, the operator's verdict, corrections as training data; the command line."""

from __future__ import annotations

import json
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from gongzhi.cases import services, suggestions
from gongzhi.cases.models import Case
from gongzhi.triage import classifier, importer
from gongzhi.triage.models import ClassifierVersion, Suggestion
from gongzhi.triage.services import suggestion_decide
from gongzhi.triage.tests.conftest import SAMPLES, shared, write_csv

WORDS = {
    "garbage": ["垃圾", "堆积", "清运", "臭味", "垃圾箱", "苍蝇", "保洁"],
    "parking": ["停车", "占道", "车辆", "乱停", "堵住", "通道", "车位"],
    "property": ["物业", "收费", "电梯", "维修", "业委会", "物业费", "门禁"],
}
FILLER = [
    "小区",
    "门口",
    "附近",
    "每天",
    "居民",
    "反映",
    "希望",
    "尽快",
    "处理",
    "兰溪路",
    "枣阳路",
]


def synthetic(t, n=15, seed=0, shuffle=False):
    rng = random.Random(seed)
    data = classifier.Labelled()
    ids = {"garbage": t.garbage.pk, "parking": t.parking.pk, "property": t.property.pk}
    for name, words in WORDS.items():
        for _ in range(n):
            subject = "".join(rng.sample(words, 2) + rng.sample(FILLER, 1))
            body = "".join(rng.sample(words, 4) + rng.sample(FILLER, 4))
            data.subjects.append(subject)
            data.bodies.append(body)
            data.labels.append(str(ids[name]))
    if shuffle:
        rng.shuffle(data.labels)
    return data


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    classifier._served.clear()
    yield tmp_path
    classifier._served.clear()


def test_the_first_model_is_served_and_a_worse_one_is_refused(triage, media):
    first = classifier.train_version(synthetic(triage), note="first")
    assert first.served and first.version == 1 and first.macro_f1 > 0.9
    worse = classifier.train_version(synthetic(triage, seed=1, shuffle=True), note="noise")
    assert not worse.served and worse.served_macro_f1 is not None
    assert worse.macro_f1 <= worse.served_macro_f1
    v1, v2 = ClassifierVersion.objects.order_by("version")
    assert v1.active and not v2.active and (media / v2.path).exists()
    assert set(v1.metrics) >= {"per_class", "confusion", "macro_f1", "accuracy", "labels"}
    better = classifier.train_version(synthetic(triage, n=25, seed=2))
    assert better.served or better.macro_f1 <= better.served_macro_f1


def test_a_served_model_suggests_and_is_unsure_of_nonsense(triage, media):
    classifier.train_version(synthetic(triage))
    s = suggestions.suggest("小区门口垃圾堆积\n垃圾箱满了，每天臭味很大，希望尽快清运")
    assert s.category_id == triage.garbage.pk and not s.uncertain and s.confidence >= 0.5
    assert s.department_id == triage.world.orgs["chengguan"].pk
    unsure = suggestions.suggest("今天天气\n你好")
    assert unsure is not None and unsure.uncertain and unsure.confidence < classifier.THRESHOLD


def test_no_model_no_suggestion_and_intake_goes_on(triage, media):
    assert suggestions.suggest("垃圾堆积") is None
    lat, lng = triage.point()
    services.case_intake(
        actor=triage.world.operator,
        channel="hotline",
        type="complaint",
        category=triage.garbage,
        description="垃圾堆积",
        lat=lat,
        lng=lng,
    )
    assert Suggestion.objects.count() == 0


def test_a_new_case_gets_a_suggestion_and_a_correction_becomes_training_data(
    triage, media, django_capture_on_commit_callbacks
):
    classifier.train_version(synthetic(triage))
    w = triage.world
    with django_capture_on_commit_callbacks(execute=True):  # the worker, after the commit
        case = services.case_intake(
            actor=w.operator,
            channel="hotline",
            type="complaint",
            category=triage.parking,
            title="小区门口垃圾堆积",
            description="垃圾箱满了，臭味很大，希望尽快清运保洁",
        ).case
    s = Suggestion.objects.get(case=case)
    assert s.category == triage.garbage and s.outcome == "pending"
    decided = suggestion_decide(actor=w.operator, suggestion=s, category=None)  # accepted
    assert decided.outcome == "accepted" and decided.chosen == triage.garbage
    case.refresh_from_db()
    assert case.category == triage.garbage  # still received: the category follows the verdict
    assert classifier.cases_as_labelled().labels == [str(triage.garbage.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        other = services.case_intake(
            actor=w.operator,
            channel="hotline",
            type="complaint",
            category=triage.garbage,
            title="垃圾",
            description="垃圾堆积",
        ).case
    s2 = Suggestion.objects.get(case=other)
    corrected = suggestion_decide(actor=w.operator, suggestion=s2, category=triage.property)
    assert corrected.outcome == "corrected"
    assert str(triage.property.pk) in classifier.cases_as_labelled().labels


def test_only_the_centre_decides(triage, media, django_capture_on_commit_callbacks):
    from gongzhi.core.errors import NotAllowed

    classifier.train_version(synthetic(triage))
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_intake(
            actor=triage.world.operator,
            channel="hotline",
            type="complaint",
            category=triage.garbage,
            description="垃圾堆积清运",
        ).case
    with pytest.raises(NotAllowed):
        suggestion_decide(actor=triage.world.handler, suggestion=case.suggestion)


def test_an_import_fills_a_missing_category_only_from_a_confident_suggestion(
    triage, media, tmp_path
):
    classifier.train_version(synthetic(triage))
    rows = triage.rows(2)
    rows[0][2] = ""
    rows[0][3], rows[0][4] = "门口垃圾堆积", "垃圾箱满了臭味很大希望尽快清运"
    rows[1][2] = ""
    rows[1][3], rows[1][4] = "你好", "请问一下"
    path = write_csv(tmp_path / "o.csv", rows)
    result = importer.check_file(
        profile=triage.profile, path=path, name="o.csv", actor=triage.world.operator
    )
    assert [(p.row, p.column) for p in result.problems] == [(3, "诉求分类")]
    rows.pop()
    importer.commit_file(
        profile=triage.profile,
        path=write_csv(path, rows),
        name="o.csv",
        actor=triage.world.operator,
    )
    assert Case.objects.get().category == triage.garbage
    assert Suggestion.objects.count() == 0  # the import said the category: nothing to decide


def test_evaluate_on_two_files_without_touching_the_served_model(triage, media, tmp_path):
    import csv

    rows = list(csv.DictReader(open(SAMPLES / "labelled_sample.csv", encoding="utf-8")))
    train = [r for i, r in enumerate(rows) if i % 10 < 7]
    test = [r for i, r in enumerate(rows) if i % 10 >= 7]
    for name, part in (("a.csv", train), ("b.csv", test)):
        with open(tmp_path / name, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(part)
    out = StringIO()
    call_command(
        "classifier",
        "evaluate",
        "--train",
        str(tmp_path / "a.csv"),
        "--test",
        str(tmp_path / "b.csv"),
        "--json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert report["size"] == len(test) and len(report["labels"]) == 7
    assert set(report["per_class"]["教育文体"]) == {"precision", "recall", "f1", "support"}
    assert len(report["confusion"]) == 7 and 0 <= report["macro_f1"] <= 1
    assert report["macro_f1"] > 0.4  # 49 short messages: far from the real figure, far above chance
    assert ClassifierVersion.objects.count() == 0


def test_administrators_see_each_models_evaluation(client, triage, media):
    classifier.train_version(synthetic(triage), note="first")
    client.force_login(triage.world.admin)
    page = client.get(reverse("triage:classifier")).content.decode()
    assert "宏平均 F1" in page and "暴露垃圾" in page and "使用中" in page
    client.force_login(triage.world.operator)
    assert client.get(reverse("triage:classifier")).status_code == 403


def test_on_the_real_labelled_messages_it_beats_plain_character_svm_territory():
    """80/20 split of hotline_messages/labelled.csv (the 5-fold figure is in bench/README.md)."""
    data = classifier.read_labelled_csv(shared("hotline_messages", "labelled.csv"))
    idx = list(range(len(data)))
    test_idx = idx[::5]
    train_idx = [i for i in idx if i % 5]
    report = classifier.evaluate(data.take(train_idx), data.take(test_idx))
    assert report["macro_f1"] > 0.8  # (speed: bench/bench_triage_classifier.py, one core)


# The committed figures (bench/README.md): stratified 5-fold CV on hotline_messages/labelled.csv,
# seed 0, and on the sample shipped with the tests. A change that makes the classifier worse
# fails here.
CV_MACRO_F1 = 0.855
SAMPLE_CV_MACRO_F1 = 0.64


@pytest.mark.slow
def test_the_cross_validated_figure_on_the_real_messages_stays_at_the_committed_one():
    data = classifier.read_labelled_csv(shared("hotline_messages", "labelled.csv"))
    report = classifier.cross_validate(data, folds=5, seed=0)
    assert report["macro_f1"] >= CV_MACRO_F1, report["macro_f1"]


def test_the_cross_validated_figure_on_the_shipped_sample_stays_at_the_committed_one():
    """70 messages (10 per category, details cut to 300 characters): far below the real
    figure, and fixed: same folds, same seeds."""
    data = classifier.read_labelled_csv(SAMPLES / "labelled_sample.csv")
    report = classifier.cross_validate(data, folds=5, seed=0)
    assert report["macro_f1"] >= SAMPLE_CV_MACRO_F1, report["macro_f1"]
    assert classifier.cross_validate(data, folds=5, seed=0)["macro_f1"] == report["macro_f1"]


def test_a_long_letter_is_read_only_up_to_the_limits(triage):
    data = synthetic(triage)
    model = classifier.TextClassifier().fit(data.subjects, data.bodies, data.labels)
    body = "垃圾堆积清运" + "你好" * 5000
    cols = model._columns(["门口"], [body])
    assert len(cols["b"][0]) == classifier.BODY_CHARS
    assert "".join(cols["wb"][0].split()) == body[: classifier.BODY_WORDS]
    # What lies beyond the limits changes nothing.
    longer = model.decision_one("门口", body + "停车占道车位乱停" * 100)
    assert (longer == model.decision_one("门口", body)).all()


def test_above_the_threshold_suggestions_are_right_more_often_than_below():
    """Held-out messages of the shipped sample (5-fold, the confidence fitted inside each
    fold): those suggested with confidence are right clearly more often than the uncertain."""
    data = classifier.read_labelled_csv(SAMPLES / "labelled_sample.csv")
    report = classifier.cross_validate(data, folds=5, seed=0, calibrated=True)
    assert 0.2 < report["confident_share"] < 1
    assert report["confident_accuracy"] >= report["uncertain_accuracy"] + 0.15, report


def test_one_message_fast_path_gives_the_same_margins_as_scikit_learn(triage):
    import numpy as np

    data = synthetic(triage)
    model = classifier.TextClassifier().fit(data.subjects, data.bodies, data.labels)
    for subject, body in [
        ("小区门口垃圾堆积", "垃圾箱满了臭味很大"),
        ("电梯维修", "物业不管"),
        ("", "x"),
    ]:
        slow = model.decision([subject], [body])[0]
        assert np.allclose(model.decision_one(subject, body), slow)
    assert model.predict_proba(["垃圾"], ["堆积"]).shape == (1, 3)
