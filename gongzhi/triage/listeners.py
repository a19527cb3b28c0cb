"""What triage does when a case arrives: the served classifier's suggestion for its category,
kept beside the case for the operator to accept or correct (imports, whose file says the
category, record none). The worker works it out once the case has committed, so a filing
neither waits for the model nor reads which version is served."""

from __future__ import annotations

from gongzhi.core import events


def _wanted(event: events.Event) -> bool:
    from .importer import importing

    return not importing.get()


@events.subscribe("case.received", after_commit=True, when=_wanted)
def suggest_for_new_case(event: events.Event) -> None:
    from .classifier import record_suggestion

    record_suggestion(case_id=event["case_id"])
