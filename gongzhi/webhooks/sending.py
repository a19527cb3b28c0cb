"""One HTTP POST to a receiver, with a short connect timeout and a total time limit.

Only the background task calls this, never a request or a transaction. The standard library's
http.client is used directly so that the limit is on the whole exchange (a receiver that trickles
its answer a byte at a time is cut off too), proxies from the environment are ignored (the
receivers are on the intranet) and redirects are not followed (a 3xx is a failure).

Settings (optional): WEBHOOKS_CONNECT_TIMEOUT (seconds, default 5), WEBHOOKS_TIMEOUT (seconds
for the whole exchange, default 10), WEBHOOKS_CA_FILE (a CA bundle for receivers whose https
certificate comes from an intranet authority).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

RESPONSE_SNIPPET = 300  # bytes of the receiver's answer kept with an error


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def timeouts() -> tuple[float, float]:
    connect = float(getattr(settings, "WEBHOOKS_CONNECT_TIMEOUT", 5))
    total = float(getattr(settings, "WEBHOOKS_TIMEOUT", 10))
    return min(connect, total), total


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) address")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        context = ssl.create_default_context(cafile=getattr(settings, "WEBHOOKS_CA_FILE", None))
        return (
            http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=timeout, context=context
            ),
            path,
        )
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout), path


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    connect_timeout, total = timeouts()
    start = time.monotonic()
    deadline = start + total

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left

    def elapsed_ms() -> int:
        return int((time.monotonic() - start) * 1000)

    conn: http.client.HTTPConnection | None = None
    try:
        conn, path = _connection(url, connect_timeout)
        conn.connect()
        assert conn.sock is not None  # noqa: S101  (connect() sets it)
        conn.sock.settimeout(remaining())
        conn.request("POST", path, body=body, headers={**headers, "Connection": "close"})
        conn.sock.settimeout(remaining())
        response = conn.getresponse()
        status = response.status
        snippet = b""
        try:
            if conn.sock is not None:
                conn.sock.settimeout(remaining())
            snippet = response.read(RESPONSE_SNIPPET)
        except (TimeoutError, OSError, http.client.HTTPException):
            pass  # the answer's status is what counts; its body is only for the log
        if 200 <= status < 300:
            return Outcome(status, elapsed_ms(), "")
        text = snippet.decode("utf-8", "replace").strip()
        return Outcome(status, elapsed_ms(), f"HTTP {status} {response.reason}: {text}"[:500])
    except TimeoutError:
        return Outcome(None, elapsed_ms(), f"timed out (limit {total:g} s)")
    except ssl.SSLError as exc:
        return Outcome(None, elapsed_ms(), f"TLS error: {exc}"[:500])
    except (socket.gaierror, ConnectionError, OSError) as exc:
        return Outcome(None, elapsed_ms(), f"connection failed: {exc}"[:500])
    except (http.client.HTTPException, ValueError) as exc:
        return Outcome(None, elapsed_ms(), f"bad answer: {exc!r}"[:500])
    finally:
        if conn is not None:
            conn.close()
