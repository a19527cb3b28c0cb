"""The category classifier (gongzhi.triage.classifier): training time on the 963 labelled
messages, messages per second, and the 5-fold cross-validated macro-F1 and accuracy.

    .venv/bin/python bench/bench_triage_classifier.py [--folds 5]

Baseline (same run, same folds): plain TF-IDF of character 1–4-grams of subject + text with a
linear SVM, the figure the issue quotes (~0.86 on this kind of data). Inference is timed one
message at a time on one core, as a suggestion for a new case is made."""

from __future__ import annotations

import argparse
import os
import sys
import time

from _setup import ROOT, Timer, machine

LABELLED = ROOT.parent / "shared" / "data" / "hotline_messages" / "labelled.csv"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
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
    for label, m in ours["per_class"].items():
        print(
            f"  {label:<10} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  n {m['support']}"
        )
    with Timer() as train:
        model = classifier.TextClassifier().fit(data.subjects, data.bodies, data.labels)
    print(f"training on all {len(data)}: {train.seconds:.2f} s")
    model.predict_proba(data.subjects[:1], data.bodies[:1])  # warm up (jieba's dictionary)
    n = 300
    started = time.perf_counter()
    for i in range(n):
        model.predict_proba([data.subjects[i]], [data.bodies[i]])
    per = (time.perf_counter() - started) / n
    print(
        f"inference, one message at a time: {per * 1000:.2f} ms/message, {1 / per:,.0f} messages/s"
    )
    started = time.perf_counter()
    model.predict_proba(data.subjects, data.bodies)
    batch = (time.perf_counter() - started) / len(data)
    print(f"inference, all {len(data)} at once: {1 / batch:,.0f} messages/s")


if __name__ == "__main__":
    main()
