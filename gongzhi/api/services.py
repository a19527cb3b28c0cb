"""Personal API tokens: create, revoke, authenticate.

A token is `gzt_<8 hex prefix>_<43 random url-safe characters>`. Only the prefix and a SHA-256
of the whole token are stored; the token itself is returned once, by `token_create`, and never
again. Every create and revoke is written to the audit trail (without the secret).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditEvent
from gongzhi.core import permissions as perms
from gongzhi.core import rows
from gongzhi.core.errors import ServiceError

from .models import ApiToken

TOKEN_PREFIX = "gzt"  # noqa: S105  (not a secret: the tokens' visible marker)
MAX_ACTIVE_TOKENS = 20
# last_used_at is written at most this often per token (not on every request).
LAST_USED_EVERY = dt.timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token: shown once, never stored


def token_validate(*, user: Any, name: str, expires_at: dt.datetime | None = None) -> str:
    """The cleaned name, or ServiceError: an inactive user, no name, a name already used by
    one of the user's active tokens, an expiry in the past, too many active tokens."""
    if not getattr(user, "is_active", False):
        raise ServiceError(_("This account is not active."))
    name = (name or "").strip()
    if not name:
        raise ServiceError(
            _("Give the token a name."), field_errors={"name": [_("This field is required.")]}
        )
    if len(name) > 100:
        raise ServiceError(
            _("The name is too long (at most %(n)d characters).") % {"n": 100},
            field_errors={"name": [_("At most %(n)d characters.") % {"n": 100}]},
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ServiceError(
            _("The expiry date must be in the future."),
            field_errors={"expires_at": [_("Must be in the future.")]},
        )
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if active.filter(name=name).exists():
        raise ServiceError(
            _("You already have a token with this name."),
            field_errors={"name": [_("Choose another name.")]},
        )
    if active.count() >= MAX_ACTIVE_TOKENS:
        raise ServiceError(
            _("At most %(n)d tokens can be active at a time: revoke one first.")
            % {"n": MAX_ACTIVE_TOKENS}
        )
    return name


@transaction.atomic
def token_create(
    *, actor: Any, user: Any, name: str, expires_at: dt.datetime | None = None
) -> NewToken:
    """A new personal token for `user`, acting with that user's permissions. A user creates
    their own; an administrator may create one for anyone."""
    if actor is not None:
        perms.check(
            actor, "create", ApiToken(user=user), _("You may only create tokens for yourself.")
        )
    name = token_validate(user=user, name=name, expires_at=expires_at)
    secret, prefix = _new_token()
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                name=name,
                prefix=prefix,
                secret_hash=_hash(secret),
                expires_at=expires_at,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError as exc:  # the same name created at the same moment
        raise ServiceError(
            _("You already have a token with this name."),
            field_errors={"name": [_("Choose another name.")]},
        ) from exc
    audit.record_created(actor=actor, obj=token)
    return NewToken(token, secret)


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token: every request with it is refused (401) from now on. The owner or an
    administrator may; revoking twice changes nothing."""
    if actor is not None:
        perms.check(actor, "revoke", token, _("You may only revoke your own tokens."))
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditEvent.Action.ARCHIVE,
            obj=locked,
            changes={"revoked_at": {"before": None, "after": locked.revoked_at}},
            note="revoke API token",
        )
    token.revoked_at, token.revoked_by_id = locked.revoked_at, locked.revoked_by_id
    return locked


class TokenRefused(Exception):
    """The token is unknown, revoked or expired, or its user is inactive. `message` says which,
    in the request's language."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


# Per model of the token query: the model, its concrete fields, and (index, column, functions)
# for each field whose database value needs converting.
_Part = tuple[type[Model], list[Any], list[tuple[int, Any, list[Any]]]]


@functools.cache
def _token_query(vendor: str) -> tuple[str, list[_Part]]:
    """The statement that reads a token with its user and the user's person (what
    `select_related("user", "user__person")` reads), and what builds the objects from its row.
    Written once per process: every API request runs it."""
    user_field: Any = ApiToken._meta.get_field("user")
    User: Any = user_field.related_model
    person_field: Any = User._meta.get_field("person")
    Person: Any = person_field.related_model
    q = connection.ops.quote_name
    parts: list[_Part] = []
    columns: list[str] = []
    model: Any
    for model, alias in ((ApiToken, "t"), (User, "u"), (Person, "p")):
        fields = list(model._meta.concrete_fields)
        converters = []
        for i, f in enumerate(fields):
            col = f.get_col(alias)
            funcs = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
            if funcs:
                converters.append((i, col, funcs))
            columns.append(f"{alias}.{q(f.column)}")
        parts.append((model, fields, converters))
    sql = (
        f"SELECT {', '.join(columns)} FROM {q(ApiToken._meta.db_table)} t"  # noqa: S608
        f" JOIN {q(User._meta.db_table)} u ON u.{q(User._meta.pk.column)} = t.{q(user_field.column)}"
        f" LEFT JOIN {q(Person._meta.db_table)} p"
        f" ON p.{q(Person._meta.pk.column)} = u.{q(person_field.column)}"
        f" WHERE t.{q('prefix')} = %s"
    )
    return sql, parts


def _token_with_user(prefix: str) -> ApiToken | None:
    """The token with this prefix, its user and the user's person loaded, in one statement
    written once (the ORM would build the same three-table query anew on every request)."""
    sql, parts = _token_query(connection.vendor)
    with rows.cursor() as cursor:
        cursor.execute(sql, [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    objects: list[Any] = []
    at = 0
    for model, fields, converters in parts:
        values = list(row[at : at + len(fields)])
        at += len(fields)
        if values[0] is None:  # a user without a person
            objects.append(None)
            continue
        for i, col, funcs in converters:
            for func in funcs:
                values[i] = func(values[i], col, connection)
        objects.append(model.from_db(connection.alias, [f.attname for f in fields], values))
    token, user, person = objects
    ApiToken._meta.get_field("user").set_cached_value(token, user)
    user._meta.get_field("person").set_cached_value(user, person)
    return token


def authenticate(raw: str, *, ip: str | None = None) -> ApiToken:
    """The token `raw` belongs to, with its user loaded; raises TokenRefused otherwise. Records
    the last use (at most once a minute)."""
    raw = (raw or "").strip()
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1]:
        raise TokenRefused(_("The API token is not valid."))
    token = _token_with_user(parts[1])
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(raw)):
        raise TokenRefused(_("The API token is not valid."))
    if token.revoked_at is not None:
        raise TokenRefused(_("This API token was revoked."))
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRefused(_("This API token has expired."))
    if not token.user.is_active:
        raise TokenRefused(_("The account of this API token is not active."))
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        token.last_used_at, token.last_used_ip = now, ip
    return token
