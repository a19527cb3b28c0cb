"""The one permission module: "may this user do X to this object?" and "which objects may this
user see?". Every page, API endpoint, command and service asks here; nothing relies on a hidden
button.

Each domain app registers a `Policy` for each of its models in its own `permissions.py` (loaded
by the app's `ready()`). A model without a policy is reachable by administrators only: the
default is to refuse.

    from gongzhi.core import permissions as perms
    perms.check(user, "change", area)           # raises NotAllowed with a translated message
    perms.can(user, "reveal", person)           # bool
    perms.visible(user, Case.objects.all())     # the rows this user may see
    perms.get_visible_or_404(user, Grid, pk=3)  # 404 (not 403) for what the user may not see
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed

from .roles import Access, Role, access_for

M = TypeVar("M", bound=models.Model)

# The subdistrict path of rows every subdistrict of the installation shares.
SHARED = ""


class Policy:
    """Rules for one model. Subclasses override `scope` and `can_<action>` methods.

    `scope(access, qs)` narrows a queryset to what the user may see; `can_view(access, obj)`
    defaults to "the object is in scope". Other actions default to administrators only.

    `subdistrict_path` says where a row's subdistrict is, as a lookup ("subdistrict",
    "case__subdistrict", "organisation__subdistrict"), or SHARED for rows every subdistrict of
    the installation shares (the category catalogue, the calendar, a user's own rows). On an
    installation that serves several subdistricts, `visible()` and `in_scope()` narrow the
    scope to the user's subdistricts through it (a row of no subdistrict — the district's —
    stays reachable). A policy whose path crosses a to-many relation overrides
    `subdistrict_q()` with an `Exists`. Every registered policy must say (a test lists those
    that don't).
    """

    model: type[models.Model]
    subdistrict_path: str | None = None
    # A person's own rows (the user's where this lookup is them, `own_user`; their person's,
    # `own_person`) stay reachable wherever they are: a resident's of another subdistrict.
    own_user = ""
    own_person = ""

    def subdistrict_q(self, access: Access) -> Q | None:
        """The condition narrowing rows to the user's subdistricts; None: no narrowing."""
        path = self.subdistrict_path
        if access.subdistrict_ids is None or not path:
            return None
        q = Q(**{f"{path}__in": access.subdistrict_ids}) | Q(**{f"{path}__isnull": True})
        if self.own_user and access.user_id is not None:
            q |= Q(**{self.own_user: access.user_id})
        if self.own_person and access.person_id is not None:
            q |= Q(**{self.own_person: access.person_id})
        return q

    def scoped(self, access: Access, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """`scope()` narrowed to the user's subdistricts."""
        qs = self.scope(access, qs)
        q = self.subdistrict_q(access)
        return qs if q is None else qs.filter(q)

    def scope(self, access: Access, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
        return qs if access.has(Role.ADMIN) else qs.none()

    def can(self, access: Access, action: str, obj: Any) -> bool:
        method: Callable[[Access, Any], bool] | None = getattr(self, f"can_{action}", None)
        if method is not None:
            return bool(method(access, obj))
        if action == "view":
            return self.in_scope(access, obj)
        return access.has(Role.ADMIN)

    def in_scope(self, access: Access, obj: Any) -> bool:
        if obj is None or isinstance(obj, type) or obj.pk is None:
            return False
        return self.scoped(access, type(obj)._default_manager.filter(pk=obj.pk)).exists()


_policies: dict[type[models.Model], Policy] = {}


def register(model: type[models.Model]) -> Callable[[type[Policy]], type[Policy]]:
    def wrap(cls: type[Policy]) -> type[Policy]:
        policy = cls()
        policy.model = model
        _policies[model] = policy
        return cls

    return wrap


def policy_for(model: type[models.Model]) -> Policy:
    for klass in model.__mro__:
        if klass in _policies:
            return _policies[klass]
    return Policy()


def _access(user_or_access: Any) -> Access:
    return user_or_access if isinstance(user_or_access, Access) else access_for(user_or_access)


def can(user: Any, action: str, obj: Any) -> bool:
    """May `user` do `action` to `obj`? `obj` may be a model class for actions such as "create".
    On an installation of several subdistricts, a stored object must also lie in one of the
    user's subdistricts, whatever the policy's own rule for the action says."""
    access = _access(user)
    model = obj if isinstance(obj, type) else type(obj)
    policy = policy_for(model)
    if not policy.can(access, action, obj):
        return False
    if access.subdistrict_ids is None or not isinstance(obj, models.Model) or obj.pk is None:
        return True
    q = policy.subdistrict_q(access)
    return q is None or type(obj)._default_manager.filter(q, pk=obj.pk).exists()


def check(user: Any, action: str, obj: Any, message: Any = None) -> None:
    """Raise NotAllowed (shown to the user as a 403 page or API error) unless `can()`."""
    if not can(user, action, obj):
        raise NotAllowed(message or _("You are not allowed to do this."))


def visible(user: Any, qs: models.QuerySet[M] | type[M]) -> models.QuerySet[M]:
    """The part of `qs` (or of the model's rows) this user may see."""
    if isinstance(qs, type):
        qs = qs._default_manager.all()
    return policy_for(qs.model).scoped(_access(user), qs)


def get_visible_or_404(user: Any, qs: models.QuerySet[M] | type[M], **lookup: Any) -> M:
    """One visible object, or 404: out-of-scope objects look the same as missing ones."""
    try:
        return visible(user, qs).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Not found.")) from exc
