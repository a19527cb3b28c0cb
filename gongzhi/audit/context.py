"""The request an action happens in (address, request id), for the audit trail, without passing
the request through every service. Set by AuditContextMiddleware; empty in commands and tasks."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    request_id: str = ""


_current: ContextVar[RequestContext] = ContextVar(
    "gongzhi_audit_request",
    default=RequestContext(),  # noqa: B039 (frozen dataclass)
)


def current() -> RequestContext:
    return _current.get()


def set_current(ctx: RequestContext):  # type: ignore[no-untyped-def]
    return _current.set(ctx)


def reset(token) -> None:  # type: ignore[no-untyped-def]
    _current.reset(token)
