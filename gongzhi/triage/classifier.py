"""The category classifier: suggests a case's category (and through it the department) from
its text, with a confidence.

Features: TF-IDF of character 1–3-grams of the subject and of the body apart (the subject is
short and says most: apart, its n-grams are not drowned by the body's), plus jieba words of
both (weighted 0.7); the body is read up to 1,000 characters, its words up to 300. Model: a
linear SVM with balanced class weights; its margins become probabilities by a softmax whose
temperature is fitted on the margins (cheap, and keeps inference one sparse dot product). One
message takes about 2 ms of one core (p95 under 4 ms), half of it jieba's segmentation; the
served model is loaded once per process and warmed (jieba's dictionary) when it is loaded. What was tried to
raise the 5-fold macro-F1 (0.86) and what it gave: bench/README.md.

A model is versioned (`ClassifierVersion`: file under MEDIA_ROOT/triage/models/, training date,
sizes, metrics); `retrain_from_cases()` trains on the subdistrict's cases (a corrected
suggestion counts with the category the operator chose), evaluates on a held-out part, and
serves the new model only when its macro-F1 there beats the served one's on the same part.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)

THRESHOLD = 0.5  # below: shown as uncertain, nothing pre-filled
# The body is read up to BODY_CHARS characters, its words up to BODY_WORDS (jieba is the slow
# part): a long letter costs no more than a usual one, and 5-fold macro-F1 moves by less than
# the folds' noise (bench/README.md).
BODY_CHARS = 1000
BODY_WORDS = 300
MIN_PER_CLASS = 5  # categories with fewer training cases are left out
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub(" ", (text or "").replace("\u3000", " ")).strip()


def split(text: str) -> tuple[str, str]:
    """(subject, body) of a case text written as 'subject\\nbody'."""
    head, _, rest = (text or "").strip().partition("\n")
    return normalise(head), normalise(rest)


def _words(text: str) -> str:
    import jieba

    jieba.setLogLevel(60)
    return " ".join(w for w in jieba.lcut(text, HMM=False) if w.strip())


class TextClassifier:
    """fit(subjects, bodies, labels) / predict_proba(subjects, bodies)."""

    def __init__(
        self,
        *,
        C: float = 0.5,
        subject_weight: float = 1.0,
        words: bool = True,
        word_weight: float = 0.7,
        body_chars: int | None = BODY_CHARS,
        body_words: int | None = BODY_WORDS,
    ):
        self.C = C
        self.subject_weight = subject_weight
        self.words = words
        self.word_weight = word_weight
        self.body_chars = body_chars
        self.body_words = body_words
        self.temperature = 1.0

    def _vectorisers(self) -> list[Any]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        def chars() -> Any:
            return TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)

        def words(min_df: int) -> Any:
            return TfidfVectorizer(
                tokenizer=str.split,
                token_pattern=None,
                lowercase=False,
                sublinear_tf=True,
                min_df=min_df,
            )

        out = [("s", chars(), self.subject_weight), ("b", chars(), 1.0)]
        if self.words:
            out += [("ws", words(1), self.word_weight), ("wb", words(2), self.word_weight)]
        return out

    def _columns(self, subjects: Sequence[str], bodies: Sequence[str]) -> dict[str, list[str]]:
        # Models stored before the body was cut have no limits: they read it whole.
        chars, words = getattr(self, "body_chars", None), getattr(self, "body_words", None)
        cols = {"s": list(subjects), "b": [b[:chars] for b in bodies]}
        if self.words:
            cols["ws"] = [_words(s) for s in subjects]
            cols["wb"] = [_words(b[:words]) for b in bodies]
        return cols

    def _matrix(self, cols: dict[str, list[str]], fit: bool) -> Any:
        from scipy.sparse import hstack

        parts = []
        for key, vec, weight in self.vecs:
            m = vec.fit_transform(cols[key]) if fit else vec.transform(cols[key])
            parts.append(m * weight)
        return hstack(parts).tocsr()

    def fit(
        self,
        subjects: Sequence[str],
        bodies: Sequence[str],
        labels: Sequence[str],
        *,
        calibrate: bool = False,
    ) -> Any:
        """Train. The confidence's temperature is fitted on the training margins; `calibrate`:
        on margins of messages the model did not see (3-fold inside the training set, 3 more
        fits). On the labelled messages both end at the floor of 0.3 (bench/README.md), so the
        served model is trained without the extra fits."""
        from sklearn.svm import LinearSVC

        self.vecs = self._vectorisers()
        X = self._matrix(self._columns(subjects, bodies), fit=True)
        y = np.asarray(labels)
        self.model = LinearSVC(C=self.C, class_weight="balanced", random_state=0)
        self.model.fit(X, y)
        self.classes_ = list(self.model.classes_)
        held_out = self._held_out_margins(subjects, bodies, y) if calibrate else None
        if held_out is not None:
            self.temperature = _fit_temperature(held_out, y, self.classes_)
        else:
            self.temperature = _fit_temperature(self.model.decision_function(X), y, self.classes_)
        return self

    def _held_out_margins(self, subjects: Sequence[str], bodies: Sequence[str], y: Any) -> Any:
        from sklearn.model_selection import StratifiedKFold

        _, counts = np.unique(y, return_counts=True)
        if len(counts) < 2 or counts.min() < 3:
            return None
        out = np.zeros((len(y), len(self.classes_)))
        options = {k: getattr(self, k) for k in ("C", "subject_weight", "words", "word_weight")}
        options.update(body_chars=self.body_chars, body_words=self.body_words)
        for tr, te in StratifiedKFold(3, shuffle=True, random_state=0).split(out, y):
            inner = TextClassifier(**options).fit(
                [subjects[i] for i in tr], [bodies[i] for i in tr], y[tr], calibrate=False
            )
            d = inner.decision([subjects[i] for i in te], [bodies[i] for i in te])
            out[np.ix_(te, [self.classes_.index(c) for c in inner.classes_])] = d
        return out

    def decision(self, subjects: Sequence[str], bodies: Sequence[str]) -> Any:
        X = self._matrix(self._columns(subjects, bodies), fit=False)
        d = self.model.decision_function(X)
        return d if d.ndim == 2 else np.column_stack([-d, d])

    def predict_proba(self, subjects: Sequence[str], bodies: Sequence[str]) -> Any:
        if len(subjects) == 1:
            return _softmax(self.decision_one(subjects[0], bodies[0])[None, :] / self.temperature)
        return _softmax(self.decision(subjects, bodies) / self.temperature)

    def decision_one(self, subject: str, body: str) -> Any:
        """The margins of one message without scikit-learn's per-call machinery (validation,
        sparse matrix assembly): the same TF-IDF (sublinear tf, idf, l2 per block, block
        weight) worked out on the message's distinct tokens (counted by `Counter`, looked up
        in the vocabulary by `map`, both in C), then, per block, the weights of those features
        only, with numpy. The same numbers as `decision()` (tested)."""
        fast = self.__dict__.get("_fast") or self._prepare_fast()
        cols = self._columns([subject], [body])
        d = self.model.intercept_.copy()
        for key, analyse, vocab, idf, coef, weight in fast:
            counts = Counter(analyse(cols[key][0]))
            found = np.fromiter(map(vocab.get, counts, repeat(-1)), np.intp, len(counts))
            hit = found >= 0
            if not hit.any():
                continue
            j = found[hit]
            n = np.fromiter(counts.values(), np.float64, len(counts))[hit]
            v = (1.0 + np.log(n)) * idf[j]
            d += (weight / (np.sqrt(v @ v) or 1.0)) * (v @ coef[j])
        return d if d.shape[0] > 1 else np.array([-d[0], d[0]])

    def _prepare_fast(self) -> list[Any]:
        """What `decision_one` reads, made once per loaded model (never stored in its file):
        per block its analyser, vocabulary, idf and the model's weights of its features
        (features × classes, rows contiguous: a message's few hundred rows are read at once)."""
        coef_t = np.asarray(self.model.coef_).T
        fast, offset = [], 0
        for key, vec, weight in self.vecs:
            size = len(vec.vocabulary_)
            coef = np.ascontiguousarray(coef_t[offset : offset + size])
            fast.append((key, vec.build_analyzer(), vec.vocabulary_, vec.idf_, coef, weight))
            offset += size
        self._fast = fast
        return fast

    def warm(self) -> None:
        """Pay the first call's costs when the model is loaded, not in the first suggestion:
        jieba's dictionary (about a second) and the fast path's tables."""
        self.decision_one("预热", "预热")

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("_fast", "_coef_t")}

    def predict(self, subjects: Sequence[str], bodies: Sequence[str]) -> list[str]:
        d = self.decision(subjects, bodies)
        return [self.classes_[i] for i in d.argmax(axis=1)]


def _softmax(z: Any) -> Any:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(d: Any, y: Any, classes: list[str], *, floor: float = 0.3) -> float:
    """The temperature whose softmax of the margins `d` gives the labels `y` the least log
    loss. Fitted on held-out margins it is a calibration; on training margins (larger than
    held-out ones) it errs towards confidence. The floor of 0.3 keeps both honest: where the
    training cases are easy to tell apart (a few words each) the held-out margins would ask
    for a temperature so low that a text the model knows nothing of, scored by the
    intercepts alone, looked sure."""
    if d.ndim == 1:
        d = np.column_stack([-d, d])
    idx = np.array([classes.index(v) for v in y])
    best, best_loss = 1.0, float("inf")
    for t in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.3, 2.0):
        if t < floor:
            continue
        p = _softmax(d / t)
        loss = -np.log(np.clip(p[np.arange(len(idx)), idx], 1e-9, 1)).mean()
        if loss < best_loss:
            best, best_loss = t, loss
    return best


# --- evaluation ----------------------------------------------------------------------------


def metrics(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Per-class precision, recall, F1 and support, the confusion matrix (rows: truth), macro-F1
    and accuracy."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    labels = sorted(set(truth) | set(predicted))
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    truth_labels = sorted(set(truth))
    return {
        "labels": labels,
        "per_class": {
            lab: {
                "precision": round(float(p[i]), 4),
                "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4),
                "support": int(s[i]),
            }
            for i, lab in enumerate(labels)
        },
        "confusion": confusion_matrix(truth, predicted, labels=labels).tolist(),
        "macro_f1": round(float(np.mean([f[labels.index(lab)] for lab in truth_labels])), 4),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "size": len(truth),
    }


@dataclass
class Labelled:
    subjects: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.labels)

    def take(self, idx: Sequence[int]) -> Labelled:
        return Labelled(
            [self.subjects[i] for i in idx],
            [self.bodies[i] for i in idx],
            [self.labels[i] for i in idx],
        )


def read_labelled_csv(path: str | Path) -> Labelled:
    """A labelled file as in hotline_messages/labelled.csv: 留言主题 (subject), 留言详情 (text),
    一级标签 (label); rows without a label are left out. Any encoding the importer reads."""
    import csv

    from .readers import detect_encoding

    with open(path, "rb") as f:
        encoding = detect_encoding(f.read(65536))
    out = Labelled()
    with open(path, encoding=encoding, newline="") as f:
        for row in csv.DictReader(f):
            label = normalise(row.get("一级标签") or row.get("label") or "")
            if not label:
                continue
            out.subjects.append(normalise(row.get("留言主题") or row.get("subject") or ""))
            out.bodies.append(normalise(row.get("留言详情") or row.get("text") or ""))
            out.labels.append(label)
    return out


def evaluate(train: Labelled, test: Labelled, **options: Any) -> dict[str, Any]:
    """Train on one set and measure on the other (the served model is not touched)."""
    started = time.perf_counter()
    model = TextClassifier(**options).fit(
        train.subjects, train.bodies, train.labels, calibrate=False
    )
    trained = time.perf_counter() - started
    started = time.perf_counter()
    predicted = model.predict(test.subjects, test.bodies)
    per_message = (time.perf_counter() - started) / max(1, len(test))
    out = metrics(test.labels, predicted)
    out["train_size"] = len(train)
    out["train_seconds"] = round(trained, 2)
    out["ms_per_message"] = round(per_message * 1000, 3)
    return out


def cross_validate(
    data: Labelled, *, folds: int = 5, seed: int = 0, calibrated: bool = False, **options: Any
) -> dict[str, Any]:
    """Stratified k-fold: the predictions of every fold pooled, then measured. `calibrated`:
    train each fold as a served model is (its confidence calibrated inside the fold) and say
    how the threshold splits the held-out messages: the share suggested with confidence and
    the accuracy of those and of the uncertain ones."""
    from sklearn.model_selection import StratifiedKFold

    predicted: list[str] = [""] * len(data)
    confidence = np.zeros(len(data))
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for tr, te in skf.split(np.zeros(len(data)), data.labels):
        train, test = data.take(tr), data.take(te)
        model = TextClassifier(**options).fit(
            train.subjects, train.bodies, train.labels, calibrate=calibrated
        )
        p = model.predict_proba(test.subjects, test.bodies)
        for i, row in zip(te, p, strict=True):
            predicted[i] = model.classes_[int(row.argmax())]
            confidence[i] = float(row.max())
    out = metrics(data.labels, predicted)
    out["folds"] = folds
    if calibrated:
        right = np.array([a == b for a, b in zip(predicted, data.labels, strict=True)])
        sure = confidence >= THRESHOLD
        out["confident_share"] = round(float(sure.mean()), 4)
        out["confident_accuracy"] = round(float(right[sure].mean()) if sure.any() else 0.0, 4)
        out["uncertain_accuracy"] = round(float(right[~sure].mean()) if (~sure).any() else 0.0, 4)
    return out


# --- versions, serving ----------------------------------------------------------------------


def models_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "triage" / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class TrainOutcome:
    version: int | None
    served: bool
    macro_f1: float
    served_macro_f1: float | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def train_version(
    data: Labelled, *, actor: Any = None, note: str = "", seed: int = 0, test_share: float = 0.2
) -> TrainOutcome:
    """Train on most of `data`, evaluate on the held-out rest together with the served model,
    store the new version, and serve it only if it does better there."""
    import joblib
    from sklearn.model_selection import train_test_split

    from gongzhi.audit import services as audit

    from .models import ClassifierVersion

    counts: dict[str, int] = {}
    for label in data.labels:
        counts[label] = counts.get(label, 0) + 1
    keep = [i for i, label in enumerate(data.labels) if counts[label] >= MIN_PER_CLASS]
    data = data.take(keep)
    if len(set(data.labels)) < 2:
        return TrainOutcome(None, False, 0.0, None, "not enough labelled cases")
    tr, te = train_test_split(
        np.arange(len(data)), test_size=test_share, random_state=seed, stratify=data.labels
    )
    train, test = data.take(tr), data.take(te)
    started = time.perf_counter()
    model = TextClassifier().fit(train.subjects, train.bodies, train.labels)
    seconds = time.perf_counter() - started
    m = metrics(test.labels, model.predict(test.subjects, test.bodies))
    m["train_seconds"] = round(seconds, 2)
    current = ClassifierVersion.objects.filter(active=True).first()
    served_f1 = None
    if current is not None:
        old = _load(current)
        if old is not None:
            served_f1 = metrics(test.labels, _predict_labels(old, test))["macro_f1"]
    better = served_f1 is None or m["macro_f1"] > served_f1
    with transaction.atomic():
        number = (
            ClassifierVersion.objects.order_by("-version").values_list("version", flat=True).first()
            or 0
        ) + 1
        path = models_dir() / f"classifier-v{number}.joblib"
        joblib.dump(model, path)
        if better and current is not None:
            ClassifierVersion.objects.filter(pk=current.pk).update(active=False)
        version = ClassifierVersion.objects.create(
            version=number,
            path=str(path.relative_to(settings.MEDIA_ROOT)),
            trained_at=timezone.now(),
            train_size=len(train),
            test_size=len(test),
            macro_f1=m["macro_f1"],
            accuracy=m["accuracy"],
            metrics={**m, "served_macro_f1_on_same_test": served_f1},
            active=better,
            note=note[:200],
        )
        audit.record_created(actor=actor, obj=version, note="served" if better else "kept aside")
    _served.clear()
    reason = (
        "served: better than the served model on the held-out cases"
        if better and served_f1 is not None
        else "served: the first model"
        if better
        else "not served: the served model does as well or better on the held-out cases"
    )
    return TrainOutcome(number, better, m["macro_f1"], served_f1, reason)


def _predict_labels(model: Any, data: Labelled) -> list[str]:
    out: list[str] = model.predict(data.subjects, data.bodies)
    return out


def cases_as_labelled(*, since: dt.datetime | None = None) -> Labelled:
    """The subdistrict's cases as training data: title and description, labelled with the
    category (the operator's choice where they corrected a suggestion)."""
    from gongzhi.cases.models import Case

    qs = Case.objects.exclude(state=Case.State.NOT_ACCEPTED).order_by("id")
    if since is not None:
        qs = qs.filter(received_at__gte=since)
    out = Labelled()
    rows = qs.values_list("title", "description", "category_id", "suggestion__chosen_id")
    for title, description, category_id, chosen in rows.iterator(chunk_size=2000):
        out.subjects.append(normalise(title))
        out.bodies.append(normalise(description))
        out.labels.append(str(chosen or category_id))
    return out


def retrain_from_cases(*, actor: Any = None) -> TrainOutcome:
    return train_version(cases_as_labelled(), actor=actor, note="retrained from cases")


_served: dict[str, Any] = {}
_lock = threading.Lock()


def _load(version: Any) -> Any:
    import joblib

    try:
        model = joblib.load(Path(settings.MEDIA_ROOT) / version.path)
    except (OSError, EOFError, ValueError):
        log.exception("classifier v%s cannot be read", version.version)
        return None
    if hasattr(model, "warm"):
        model.warm()
    return model


def served_model() -> tuple[Any, Any] | tuple[None, None]:
    """(version row, model) of the served model, loaded once per process and reloaded when
    another version is served."""
    from .models import ClassifierVersion

    current = ClassifierVersion.objects.filter(active=True).only("pk", "version", "path").first()
    if current is None:
        return None, None
    with _lock:
        if _served.get("pk") != current.pk:
            _served.clear()
            _served.update(pk=current.pk, version=current, model=_load(current))
        return _served["version"], _served["model"]


def classify(text: str) -> tuple[str, float, Any] | None:
    """(label, confidence, version) for a 'subject\\nbody' text, or None without a model."""
    version, model = served_model()
    if model is None:
        return None
    subject, body = split(text)
    p = model.predict_proba([subject], [body or subject])[0]
    i = int(p.argmax())
    return model.classes_[i], float(p[i]), version


def suggest(text: str) -> Any:
    """The provider registered with cases.suggestions: labels of models trained on cases are
    category ids."""
    from gongzhi.cases import sla
    from gongzhi.cases.suggestions import CategorySuggestion

    found = classify(text)
    if found is None:
        return None
    label, confidence, version = found
    try:
        category = sla.catalogue().objects[int(label)]
    except (ValueError, KeyError):
        return None
    return CategorySuggestion(
        category_id=category.pk,
        confidence=confidence,
        uncertain=confidence < THRESHOLD,
        department_id=sla.routed_department_id(category.pk),
        label=category.name,
        model_id=getattr(version, "pk", None),
    )


def record_suggestion(*, case_id: int) -> None:
    """The served model's suggestion for a new case, kept beside it (no model: nothing; one
    kept already, by the intake form's verdict or an earlier run: nothing more)."""
    from gongzhi.cases.models import Case

    from .models import Suggestion

    if Suggestion.objects.filter(case_id=case_id).exists():
        return
    version, model = served_model()
    if model is None:
        return
    case = Case.objects.filter(pk=case_id).only("title", "description").first()
    if case is None:
        return
    s = suggest(f"{case.title}\n{case.description}")
    if s is None:
        return
    Suggestion.objects.create(
        case_id=case_id,
        category_id=s.category_id,
        confidence=round(s.confidence, 4),
        uncertain=s.uncertain,
        model=version,
    )
