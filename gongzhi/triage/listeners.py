"""What triage does when a case arrives: the served classifier's suggestion for its category,
kept beside the case for the operator to accept or correct (imports, whose file says the
category, record none). The worker works it out once the case has committed, so a filing
neither waits for the model nor reads which version is served. A case filed from the intake
form has its suggestion already — the one the form showed, kept with the operator's verdict in
the filing's transaction (services.suggestion_record_verdict) — and the worker leaves it."""

from __future__ import annotations

from gongzhi.core import events


def _wanted(event: events.Event) -> bool:
    from .importer import importing

    return not importing.get()


@events.subscribe("case.received", after_commit=True, when=_wanted)
def suggest_for_new_case(event: events.Event) -> None:
    from .classifier import record_suggestion

    record_suggestion(case_id=event["case_id"])
