"""Which subdistrict a new row of a domain belongs to, and the refusal to link rows of
different subdistricts (a project's party, an activity's unit, a council's member …).

An object's subdistrict is its `subdistrict_id` (residential areas, organisations, the rows
that carry one); `None` is the district's, which goes with every subdistrict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.core.roles import access_for
from gongzhi.places.selectors import default_subdistrict_id


def subdistrict_id_of(obj: Any) -> int | None:
    return getattr(obj, "subdistrict_id", None) if obj is not None else None


def subdistrict_for(actor: Any, *things: Any) -> int | None:
    """A new row's subdistrict: the first of `things` that names one; else the actor's, when
    they serve one; else the installation's."""
    for t in things:
        sd = subdistrict_id_of(t)
        if sd is not None:
            return int(sd)
    if getattr(actor, "is_authenticated", False):
        mine = access_for(actor).subdistrict_ids
        if mine is not None and len(mine) == 1:
            return next(iter(mine))
    return default_subdistrict_id()


def refuse_other_subdistrict(
    subdistrict_id: int | None, things: Iterable[Any], *, field: str | None = None
) -> None:
    """Refuse to link any of `things` that belongs to a subdistrict other than
    `subdistrict_id` (one of no subdistrict — the district's — goes with any)."""
    if subdistrict_id is None:
        return
    for t in things:
        other = subdistrict_id_of(t)
        if other is not None and other != subdistrict_id:
            message = _("“%(name)s” belongs to another subdistrict.") % {"name": t}
            raise ServiceError(message, field_errors={field: [message]} if field else None)


def require_reach(actor: Any, subdistrict_id: int | None) -> None:
    """The actor works in the subdistrict (or at the district level)."""
    if not access_for(actor).in_subdistrict(subdistrict_id):
        raise NotAllowed(_("This belongs to another subdistrict than yours."))


def public_subdistricts(request: Any) -> tuple[list[Any], int | None]:
    """For a public page listing every subdistrict's items: the subdistricts a resident may
    narrow it to (none where the installation serves one), and the one chosen (`?subdistrict=`)."""
    from gongzhi.places.models import Subdistrict
    from gongzhi.places.selectors import serves_one_subdistrict

    if serves_one_subdistrict():
        return [], None
    choices = list(Subdistrict.objects.active().order_by("code"))
    raw = request.GET.get("subdistrict") or ""
    chosen = next((s.pk for s in choices if str(s.pk) == raw), None)
    return choices, chosen


def narrow(qs: Any, user: Any, path: str = "subdistrict") -> Any:
    """`qs` narrowed to the user's (or an Access's) subdistricts through `path` (rows of none
    stay): the choices of a form (areas, units) for staff of one subdistrict."""
    from django.db.models import Q

    from gongzhi.core.roles import Access

    ids = (user if isinstance(user, Access) else access_for(user)).subdistrict_ids
    if ids is None:
        return qs
    return qs.filter(Q(**{f"{path}__in": ids}) | Q(**{f"{path}__isnull": True}))
