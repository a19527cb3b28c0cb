"""The category classifier (gongzhi.triage.classifier): training time on the 963 labelled
messages, the 5-fold cross-validated macro-F1 and accuracy, and the time to suggest for one
message on a warm model (p50 / p95 / mean), as wall-clock and as the process's own CPU time
(`time.thread_time`: what one core spends, whatever else the machine is doing).

    .venv/bin/python bench/bench_triage_classifier.py [--folds 5] [-n 963]

Baseline (same run, same folds, same messages): plain TF-IDF of character 1–4-grams of subject
+ text with a linear SVM (the issue's "plain TF-IDF + linear SVM on characters"), its scikit-learn
pipeline called one message at a time. The first call's cost (jieba loading its dictionary) is
measured in a fresh interpreter; the served model pays it when it is loaded (`warm()`)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable

from _setup import ROOT, Timer, machine

LABELLED = ROOT.parent / "shared" / "data" / "hotline_messages" / "labelled.csv"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("-n", type=int, default=963, help="messages timed one at a time")
    args = parser.parse_args()
    if not LABELLED.exists():
        sys.exit(f"{LABELLED} is not here")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    from gongzhi.triage import classifier

    data = classifier.read_labelled_csv(LABELLED)
    print(f"{machine()}; {len(data)} messages, {len(set(data.labels))} classes")
    with Timer() as cv:
        ours = classifier.cross_validate(data, folds=args.folds)
    texts = [f"{s} {b}" for s, b in zip(data.subjects, data.bodies, strict=True)]
    y = np.array(data.labels)
    pred = np.empty(len(y), dtype=object)
    skf = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=0)
    for tr, te in skf.split(np.zeros(len(y)), y):
        m = make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 4), sublinear_tf=True), LinearSVC()
        )
        m.fit([texts[i] for i in tr], y[tr])
        pred[te] = m.predict([texts[i] for i in te])
    base_f1, base_acc = f1_score(y, pred, average="macro"), accuracy_score(y, pred)
    print(
        f"{args.folds}-fold CV: macro-F1 {ours['macro_f1']:.4f}, accuracy {ours['accuracy']:.4f}"
        f"  (plain char TF-IDF + SVM: {base_f1:.4f}, {base_acc:.4f}; "
        f"+{ours['macro_f1'] - base_f1:.4f} macro-F1) in {cv.seconds:.1f} s"
    )
    with Timer() as cal:
        calibrated = classifier.cross_validate(data, folds=args.folds, calibrated=True)
    print(
        f"calibrated confidence, {args.folds}-fold: {calibrated['confident_share']:.1%} of the "
        f"messages at or above the threshold {classifier.THRESHOLD} "
        f"(accuracy {calibrated['confident_accuracy']:.1%}), the uncertain rest "
        f"{calibrated['uncertain_accuracy']:.1%} right, in {cal.seconds:.1f} s"
    )
    for label, m in ours["per_class"].items():
        print(
            f"  {label:<10} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  n {m['support']}"
        )
    with Timer() as train:
        model = classifier.TextClassifier().fit(data.subjects, data.bodies, data.labels)
    print(f"training on all {len(data)}: {train.seconds:.2f} s; temperature {model.temperature}")
    plain = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 4), sublinear_tf=True), LinearSVC()
    ).fit(texts, y)
    print(f"first call in a fresh interpreter (jieba's dictionary): {cold_start():.2f} s")
    model.warm()
    n = min(args.n, len(data))
    ours_t = per_message(lambda i: model.predict_proba([data.subjects[i]], [data.bodies[i]]), n)
    base_t = per_message(lambda i: plain.decision_function([texts[i]]), n)
    for name, t in (("ours", ours_t), ("plain pipeline", base_t)):
        print(
            f"one message at a time, {name:<14} ({n}): "
            f"CPU p50 {t['cpu'][0]:.2f} p95 {t['cpu'][1]:.2f} mean {t['cpu'][2]:.2f} ms; "
            f"wall p50 {t['wall'][0]:.2f} p95 {t['wall'][1]:.2f} mean {t['wall'][2]:.2f} ms"
        )
    print(
        f"ratio ours / plain pipeline, mean CPU per message: "
        f"{ours_t['cpu'][2] / base_t['cpu'][2]:.2f}×  (target: < 5 ms on one core)"
    )
    started = time.perf_counter()
    model.predict_proba(data.subjects, data.bodies)
    batch = (time.perf_counter() - started) / len(data)
    print(f"inference, all {len(data)} at once: {1 / batch:,.0f} messages/s")


def per_message(call: Callable[[int], object], n: int) -> dict[str, tuple[float, float, float]]:
    """p50, p95 and mean in ms of `call(i)` for the first n messages, CPU and wall-clock."""
    cpu, wall = [], []
    for i in range(n):
        w, c = time.perf_counter(), time.thread_time()
        call(i)
        cpu.append(time.thread_time() - c)
        wall.append(time.perf_counter() - w)

    def stats(xs: list[float]) -> tuple[float, float, float]:
        xs = sorted(xs)
        return (
            xs[len(xs) // 2] * 1000,
            xs[min(len(xs) - 1, int(len(xs) * 0.95))] * 1000,
            sum(xs) / len(xs) * 1000,
        )

    return {"cpu": stats(cpu), "wall": stats(wall)}


def cold_start() -> float:
    code = (
        "import time, jieba; jieba.setLogLevel(60); t = time.perf_counter(); "
        "jieba.lcut('小区门口垃圾堆积', HMM=False); print(time.perf_counter() - t)"
    )
    command = [sys.executable, "-c", code]  # our own interpreter and code
    out = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return float(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
