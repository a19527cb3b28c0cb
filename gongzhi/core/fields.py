"""The relations every domain declares the same way:

    grid = ProtectedForeignKey("places.Grid", _("grid"), null=True, related_name="cases")

A relation never deletes what it points to: its target is protected (`on_delete=PROTECT`), as
nothing a user created is hard-deleted (see gongzhi.core.models). Without a `related_name` the
target gets no reverse accessor ("+"); an optional relation (`null=True`) may be left empty in
forms too (`blank` follows `null`). Any other field option passes through.

They are Django's ForeignKey and OneToOneField with these defaults, and migrations record them as
such (`deconstruct()`), so they can replace a plain declaration without a migration.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class ProtectedForeignKey(models.ForeignKey):
    # What migrations name the field's class.
    django_path = "django.db.models.ForeignKey"

    def __init__(
        self,
        to: type[models.Model] | str,
        verbose_name: Any = None,
        *,
        related_name: str = "+",
        null: bool = False,
        **options: Any,
    ) -> None:
        options.setdefault("on_delete", models.PROTECT)
        options.setdefault("blank", null)
        super().__init__(
            to, verbose_name=verbose_name, related_name=related_name, null=null, **options
        )

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, self.django_path, args, kwargs


class ProtectedOneToOneField(ProtectedForeignKey, models.OneToOneField):
    django_path = "django.db.models.OneToOneField"
