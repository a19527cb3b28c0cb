from __future__ import annotations

import factory

from gongzhi.cases.models import Category


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n + 1:03d}")
    name = factory.Sequence(lambda n: f"测试类别{n + 1}")
    kind = Category.Kind.EVENT
