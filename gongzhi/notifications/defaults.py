"""What every message's wording in code is made of, whatever its domain.

Each domain writes its own messages in its own app (gongzhi.cases.messages …) and registers
them (gongzhi.notifications.registry). An administrator may override any of them in the back
office (MessageTemplate); without a row there, the wording in code is used.
"""

from __future__ import annotations

from dataclasses import dataclass

ZH = "zh-hans"
EN = "en"


@dataclass(frozen=True)
class Wording:
    """One message in one language: a subject, a body (in the app and by email) and a short SMS
    text (at most 70 Chinese characters with realistic values, so it goes as one SMS). Django
    template syntax, with the variables of the message's domain."""

    subject: str
    body: str
    sms: str


def zh(*, subject: str, body: str, sms: str) -> Wording:
    """A wording in Chinese; its SMS is signed the way the gateway signs (【signature】)."""
    return Wording(subject=subject, body=body, sms="【{{ signature }}】" + sms)


def en(*, subject: str, body: str, sms: str) -> Wording:
    """A wording in English; its SMS is signed likewise ([signature])."""
    return Wording(subject=subject, body=body, sms="[{{ signature }}] " + sms)
