"""What triage does when a case arrives: the served classifier's suggestion for its category,
kept beside the case for the operator to accept or correct (imports, whose file says the
category, record none). It is worked out in the filing's transaction: the intake form records
the operator's verdict on it (accepted or corrected) right after the filing, so it must exist
by then."""

from __future__ import annotations

from gongzhi.core import events


def _wanted(event: events.Event) -> bool:
    from .importer import importing

    return not importing.get()


@events.subscribe("case.received", when=_wanted)
def suggest_for_new_case(event: events.Event) -> None:
    from .classifier import record_suggestion

    record_suggestion(case_id=event["case_id"])
