"""Banners: a line at the top of every page that tells the people concerned about something the
whole installation lacks (next year's holidays, for one). Each app registers a provider in its
AppConfig.ready():

    from gongzhi.core.banners import Banner, register
    register(lambda access: [Banner(_("…"), url="/…", link_text=_("…"))] if … else [])

A provider runs on every page a signed-in user opens: keep it to cached reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from .roles import Access


@dataclass(frozen=True)
class Banner:
    message: str | Promise
    url: str = ""
    link_text: str | Promise = ""
    level: str = "warning"  # a Bootstrap alert colour


Provider = Callable[[Access], list[Banner]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)


def banners_for(access: Access) -> list[Banner]:
    if access.user_id is None:
        return []
    return [banner for provider in PROVIDERS for banner in provider(access)]
