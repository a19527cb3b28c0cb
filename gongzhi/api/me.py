"""Who the request acts as."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja import Router

from gongzhi.core.roles import access_for

from . import schemas as s
from .cases import READ_ERRORS

router = Router(tags=["account"])


@router.get("/me", response={200: s.MeOut, **READ_ERRORS}, url_name="me")
def me(request: HttpRequest) -> Any:
    """The user this request acts as, with the roles and scopes every endpoint checks."""
    user = request.auth  # type: ignore[attr-defined]
    access = access_for(user)
    token = getattr(request, "_gz_api_token", None)
    return s.MeOut(
        id=user.pk,
        username=user.username,
        name=str(user.person.name) if user.person_id else (user.get_full_name() or user.username),
        person_id=user.person_id,
        roles=sorted(str(r) for r in access.roles),
        primary_role=str(access.primary_role),
        language=translation.get_language() or "",
        area_ids=sorted(access.area_ids),
        department_ids=sorted(access.department_ids),
        station_ids=sorted(access.station_ids),
        token=s.TokenInfo(
            name=token.name,
            prefix=token.prefix,
            created_at=s.local(token.created_at),  # type: ignore[arg-type]
            expires_at=s.local(token.expires_at),
        )
        if token is not None
        else None,
    )
