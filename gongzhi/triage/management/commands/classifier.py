"""The category classifier from the command line.

    manage.py classifier evaluate --train A.csv --test B.csv [--json]
    manage.py classifier cv --data labelled.csv [--folds 5] [--json]
    manage.py classifier train [--data labelled.csv] [--json]

`evaluate` and `cv` never touch the served model. `train` trains on the subdistrict's cases
(or a labelled file), evaluates on a held-out part, and serves the new version only when it
does better there than the served one.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.triage import classifier


class Command(BaseCommand):
    help = "Evaluate, cross-validate or train the category classifier."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("evaluate", help="train on one labelled CSV, measure on another")
        ev.add_argument("--train", required=True)
        ev.add_argument("--test", required=True)
        ev.add_argument("--json", action="store_true")
        cv = sub.add_parser("cv", help="stratified k-fold cross-validation on a labelled CSV")
        cv.add_argument("--data", required=True)
        cv.add_argument("--folds", type=int, default=5)
        cv.add_argument("--json", action="store_true")
        tr = sub.add_parser("train", help="train a new version; served only if better")
        tr.add_argument("--data", help="a labelled CSV instead of the subdistrict's cases")
        tr.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "evaluate":
                out = classifier.evaluate(
                    classifier.read_labelled_csv(options["train"]),
                    classifier.read_labelled_csv(options["test"]),
                )
            elif action == "cv":
                out = classifier.cross_validate(
                    classifier.read_labelled_csv(options["data"]), folds=options["folds"]
                )
            else:
                data = (
                    classifier.read_labelled_csv(options["data"])
                    if options.get("data")
                    else classifier.cases_as_labelled()
                )
                out = classifier.train_version(data, note="manage.py classifier train").as_dict()
        except (OSError, KeyError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
            return
        self._print(out)

    def _print(self, out: dict[str, Any]) -> None:
        if "per_class" not in out:
            for k, v in out.items():
                self.stdout.write(f"{k}: {v}")
            return
        self.stdout.write(f"{'label':<16}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
        for label, m in out["per_class"].items():
            self.stdout.write(
                f"{label:<16}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}"
                f"{m['support']:>6}"
            )
        self.stdout.write(f"macro-F1 {out['macro_f1']:.4f}  accuracy {out['accuracy']:.4f}")
