"""The product's apps: each is the package its `apps.py` sits in."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class ProductApp(AppConfig):
    """An app of the product. Its name is its package (`gongzhi.places`) and its label the
    package's last part (`places`), as Django makes it when none is given."""

    default = False  # not itself the config Django picks from an apps.py that imports it

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__module__.rpartition(".")[0]
        if "default" not in cls.__dict__:
            cls.default = True
