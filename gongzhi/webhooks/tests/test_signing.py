"""The receiver's side of the signature: verify() accepts a genuine, fresh request and refuses a
tampered body, a wrong secret, an old timestamp (a replay) and the same request twice."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from gongzhi.webhooks.signing import SeenSignatures, SignatureError, parse, sign, verify

SECRET = "whsec_test-secret-for-the-district-platform"
BODY = b'{"id":"1b4e28ba","type":"case.filed","data":{"case":{"number":"CY2026-000123"}}}'
T = 1_767_225_600  # 2026-01-01 08:00 in Shanghai


def test_a_signed_request_verifies_with_the_shared_secret():
    header = sign(SECRET, BODY, timestamp=T)
    assert header.startswith(f"t={T},v1=")
    # The documented recipe, by hand, gives the same signature.
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={T},v1={expected}"
    assert verify(SECRET, header, BODY, now=T + 10) == T


def test_a_tampered_body_is_refused():
    header = sign(SECRET, BODY, timestamp=T)
    tampered = BODY.replace(b"case.filed", b"case.closed")
    with pytest.raises(SignatureError) as refused:
        verify(SECRET, header, tampered, now=T)
    assert refused.value.reason == "mismatch"


def test_a_wrong_secret_is_refused():
    header = sign("whsec_someone-else", BODY, timestamp=T)
    with pytest.raises(SignatureError) as refused:
        verify(SECRET, header, BODY, now=T)
    assert refused.value.reason == "mismatch"


@pytest.mark.parametrize("age", [301, 3600, -301])
def test_a_timestamp_outside_the_window_is_refused_as_a_replay(age):
    header = sign(SECRET, BODY, timestamp=T)
    with pytest.raises(SignatureError) as refused:
        verify(SECRET, header, BODY, now=T + age)
    assert refused.value.reason == "expired"
    # Just inside the window it still passes.
    assert verify(SECRET, header, BODY, now=T + (300 if age > 0 else -300)) == T


def test_a_replay_within_the_window_is_refused_with_a_seen_set():
    seen = SeenSignatures()
    header = sign(SECRET, BODY, timestamp=T)
    verify(SECRET, header, BODY, now=T, seen=seen)
    with pytest.raises(SignatureError) as refused:
        verify(SECRET, header, BODY, now=T + 5, seen=seen)
    assert refused.value.reason == "replayed"
    # A genuine retry of the same delivery is signed afresh and accepted.
    retry = sign(SECRET, BODY, timestamp=T + 30)
    assert verify(SECRET, retry, BODY, now=T + 31, seen=seen) == T + 30
    # Old entries are forgotten once they are past the window.
    later = sign(SECRET, BODY, timestamp=T + 2000)
    verify(SECRET, later, BODY, now=T + 2000, seen=seen)
    assert len(seen) == 1


@pytest.mark.parametrize(
    "header", ["", "garbage", f"t={T}", "v1=abc", "t=yesterday,v1=abc", f"t={T},v0=abc"]
)
def test_a_malformed_header_is_refused(header):
    with pytest.raises(SignatureError) as refused:
        verify(SECRET, header, BODY, now=T)
    assert refused.value.reason == "malformed"


def test_after_a_rotation_either_secret_verifies():
    header = sign(["whsec_new", "whsec_old"], BODY, timestamp=T)
    assert parse(header)[0] == T and len(parse(header)[1]) == 2
    assert verify("whsec_new", header, BODY, now=T) == T
    assert verify("whsec_old", header, BODY, now=T) == T
    with pytest.raises(SignatureError):
        verify("whsec_other", header, BODY, now=T)


def test_a_body_given_as_text_is_signed_as_its_utf8_bytes():
    text = '{"address":"兰溪路138弄"}'
    header = sign(SECRET, text, timestamp=T)
    assert verify(SECRET, header, text.encode("utf-8"), now=T) == T
