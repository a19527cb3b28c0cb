"""Signing Gongzhi's webhooks, and verifying them on the receiver's side.

This module uses the Python standard library only: a receiving system may copy it as it is.

What a receiver gets
--------------------
Each event is one HTTP POST of a JSON body (UTF-8) with these headers:

    Content-Type: application/json; charset=utf-8
    X-Gongzhi-Event: case.dispatched
    X-Gongzhi-Delivery: 1b4e28ba-2fa1-11d2-883f-0016d3cca427
    X-Gongzhi-Signature: t=1767225600,v1=5257a869e7…

`v1` is the hex HMAC-SHA256 of ``f"{t}.{raw_body}"`` keyed with the subscription's secret (the
`whsec_…` string shown once when the subscription was made or its secret rotated). For a while
after a rotation the header carries two `v1` values, one per secret: either may match.

To accept a request, a receiver must:

1. compute the HMAC over the raw bytes of the body, as received (not re-serialised JSON);
2. compare it in constant time with a `v1` value of the header;
3. refuse a timestamp `t` more than a few minutes from its own clock: a request captured and
   sent again later is then refused (a replay);
4. de-duplicate by `X-Gongzhi-Delivery`: Gongzhi retries a delivery the receiver did not
   acknowledge with a 2xx answer, and an administrator may send it again, always with the same
   id (and a fresh timestamp and signature);
5. answer 2xx quickly (within 10 seconds), and do any slow work afterwards.

With this module::

    from signing import SignatureError, SeenSignatures, verify

    seen = SeenSignatures()              # optional: refuse the same request twice in the window

    def receive(headers, body: bytes):
        try:
            verify(SECRET, headers["X-Gongzhi-Signature"], body, seen=seen)
        except SignatureError as exc:
            return 400, str(exc)
        event = json.loads(body)
        ...
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field

SIGNATURE_HEADER = "X-Gongzhi-Signature"
EVENT_HEADER = "X-Gongzhi-Event"
DELIVERY_HEADER = "X-Gongzhi-Delivery"
CONTENT_TYPE = "application/json; charset=utf-8"
DEFAULT_TOLERANCE = 300  # seconds
SCHEME = "v1"


class SignatureError(ValueError):
    """The request is not a genuine, fresh Gongzhi webhook. `reason` says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # "malformed" | "mismatch" | "expired" | "replayed"


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def compute(secret: str, timestamp: int, body: bytes | str) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}.{body}"`` with `secret`."""
    message = str(int(timestamp)).encode("ascii") + b"." + _as_bytes(body)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secrets: list[str] | str, body: bytes | str, *, timestamp: int | None = None) -> str:
    """The X-Gongzhi-Signature header value: ``t=<unix>,v1=<hex>[,v1=<hex>…]``, one `v1` per
    secret (the current one first)."""
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    if not keys:
        raise ValueError("at least one secret is needed to sign")
    t = int(time.time() if timestamp is None else timestamp)
    return ",".join([f"t={t}", *(f"{SCHEME}={compute(k, t, body)}" for k in keys)])


def parse(header: str) -> tuple[int, list[str]]:
    """(timestamp, [v1 signatures]) from a signature header; SignatureError if malformed."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in (header or "").split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                timestamp = None
        elif key == SCHEME and value:
            signatures.append(value.strip().lower())
    if timestamp is None or not signatures:
        raise SignatureError(
            "malformed", "The signature header needs a timestamp t= and a v1= signature."
        )
    return timestamp, signatures


@dataclass
class SeenSignatures:
    """Signatures already accepted within the tolerance window, so that the very same request
    sent twice (captured and replayed within the window) is refused. Kept in memory; entries
    older than the window are pruned as new ones arrive."""

    tolerance: int = DEFAULT_TOLERANCE
    _seen: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, timestamp: int, now: int) -> bool:
        """Remember `key`; False if it was already there (a replay)."""
        horizon = now - 2 * self.tolerance
        for old in [k for k, t in self._seen.items() if t < horizon]:
            del self._seen[old]
        if key in self._seen:
            return False
        self._seen[key] = timestamp
        return True

    def __len__(self) -> int:
        return len(self._seen)


def verify(
    secret: str,
    header: str,
    body: bytes | str,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
    *,
    seen: SeenSignatures | None = None,
) -> int:
    """Check a webhook request the way a receiver should; return its timestamp.

    Raises SignatureError when the header is malformed, no `v1` signature matches the body with
    this secret (tampered body, wrong secret), the timestamp is more than `tolerance` seconds
    away from `now` (an old request sent again: a replay), or, with `seen`, when this exact
    request was already accepted.
    """
    timestamp, signatures = parse(header)
    expected = compute(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise SignatureError("mismatch", "The signature does not match the body.")
    current = int(time.time() if now is None else now)
    if abs(current - timestamp) > tolerance:
        raise SignatureError(
            "expired",
            f"The timestamp is {current - timestamp} s away from now (more than {tolerance} s):"
            " refused as a possible replay.",
        )
    if seen is not None and not seen.add(f"{timestamp}.{expected}", timestamp, current):
        raise SignatureError("replayed", "This request was already received.")
    return timestamp
