"""System checks (`manage.py check`): the SMS backend can be loaded, and the HTTP gateway has an
address; every message a domain registered has wording in every language of the site."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from . import registry


@checks.register()
def check_notifications(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    path = getattr(settings, "SMS_BACKEND", "") or "gongzhi.notifications.sms.LoggingSmsBackend"
    try:
        backend = import_string(path)
    except ImportError as exc:
        messages.append(
            checks.Error(
                f"SMS_BACKEND {path!r} cannot be imported: {exc}",
                hint="Use gongzhi.notifications.sms.LoggingSmsBackend or HttpSmsBackend.",
                id="notifications.E001",
            )
        )
        backend = None
    url = getattr(settings, "SMS_GATEWAY_URL", "")
    if (
        backend is not None
        and backend.__name__ == "HttpSmsBackend"
        and not url.startswith(("http://", "https://"))
    ):
        messages.append(
            checks.Error(
                "SMS_BACKEND is the HTTP gateway but SMS_GATEWAY_URL is not an http(s) address.",
                hint="Set SMS_GATEWAY_URL to the intranet gateway, e.g. http://10.0.0.8/sms/send.",
                id="notifications.E002",
            )
        )
    codes = [code for code, _name in settings.LANGUAGES]
    for key, missing in registry.check_languages(codes):
        messages.append(
            checks.Warning(
                f"Message {key!r} has no default wording in {', '.join(missing)}.",
                id="notifications.W001",
            )
        )
    return messages
