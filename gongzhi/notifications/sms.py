"""The SMS gateway interface. settings.SMS_BACKEND names the class (a dotted path):

- `LoggingSmsBackend` (the default): writes each message to the `gongzhi.sms` logger, with the
  number masked; nothing leaves the server. The Notification row is the message log.
- `HttpSmsBackend`: POSTs JSON to the intranet SMS gateway at settings.SMS_GATEWAY_URL, e.g.
  {"mobile": "13812345678", "content": "…", "ref": "42"}, with
  `Authorization: Bearer <SMS_GATEWAY_TOKEN>` when a token is set, and a timeout of
  SMS_GATEWAY_TIMEOUT seconds. Any 2xx answer is success; the answer's "id" / "msgid" (JSON) is
  kept as the gateway reference. Anything else raises SmsError, and delivery retries.

A backend for another gateway is a class with `send(*, phone, text, ref) -> str`.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from gongzhi.core.pii import mask_phone

log = logging.getLogger("gongzhi.sms")


class SmsError(Exception):
    """The gateway did not take the message."""


class SmsBackend(Protocol):
    def send(self, *, phone: str, text: str, ref: str) -> str:
        """Send one message; return the gateway's reference. Raise SmsError on failure."""
        ...


class LoggingSmsBackend:
    def send(self, *, phone: str, text: str, ref: str) -> str:
        log.info("SMS #%s to %s: %s", ref, mask_phone(phone), text)
        return f"log-{ref}"


class HttpSmsBackend:
    def __init__(
        self, url: str | None = None, token: str | None = None, timeout: float | None = None
    ) -> None:
        self.url = url if url is not None else getattr(settings, "SMS_GATEWAY_URL", "")
        self.token = token if token is not None else getattr(settings, "SMS_GATEWAY_TOKEN", "")
        self.timeout = (
            timeout if timeout is not None else float(getattr(settings, "SMS_GATEWAY_TIMEOUT", 5))
        )

    def send(self, *, phone: str, text: str, ref: str) -> str:
        if not self.url.startswith(("http://", "https://")):
            raise SmsError("SMS_GATEWAY_URL is not set to an http(s) address.")
        payload = json.dumps({"mobile": phone, "content": text, "ref": ref}, ensure_ascii=False)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310  (scheme checked above)
            self.url, data=payload.encode("utf-8"), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            raise SmsError(f"gateway answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"gateway unreachable: {getattr(exc, 'reason', exc)}") from exc
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered HTTP {status}")
        try:
            answer = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            answer = {}
        reference = answer.get("id") or answer.get("msgid") if isinstance(answer, dict) else None
        log.info("SMS #%s to %s accepted by the gateway", ref, mask_phone(phone))
        return str(reference or "")[:100]


def get_backend() -> SmsBackend:
    path = getattr(settings, "SMS_BACKEND", "") or "gongzhi.notifications.sms.LoggingSmsBackend"
    backend: SmsBackend = import_string(path)()
    return backend
