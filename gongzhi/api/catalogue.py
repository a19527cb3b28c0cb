"""The case catalogue (categories), for filing and filtering cases."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Path, Query, Router

from gongzhi.cases import selectors
from gongzhi.cases.models import Category
from gongzhi.core import permissions as perms

from . import schemas as s
from .cases import READ_ERRORS, PageQuery
from .pagination import page

router = Router(tags=["catalogue"])


class CategoryFilters(PageQuery):
    kind: s.CategoryKindT | None = None
    leaf: bool | None = Field(None, description="Only the last level (where cases are filed).")
    public: bool | None = Field(None, description="Only those residents may report.")
    parent: int | None = Field(None, ge=1, le=s.MAX_ID)
    q: str = Field("", max_length=60, description="Words of the code or name.")
    archived: bool = Field(False, description="Archived categories instead of active ones.")


def _leaf_ids() -> set[int]:
    return set(selectors.leaf_categories().values_list("pk", flat=True))


@router.get("/categories", response={200: s.CategoryPage, **READ_ERRORS}, url_name="category_list")
def category_list(request: HttpRequest, filters: Query[CategoryFilters]) -> Any:
    f = filters
    qs = perms.visible(request.auth, Category.objects.select_related("department"))  # type: ignore[attr-defined]
    qs = qs.filter(archived_at__isnull=not f.archived)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.public is not None:
        qs = qs.filter(public=f.public)
    if f.parent:
        qs = qs.filter(parent_id=f.parent)
    if f.q.strip():
        qs = qs.filter(Q(code__icontains=f.q.strip()) | Q(name__icontains=f.q.strip()))
    leaves = _leaf_ids()
    if f.leaf is not None:
        qs = qs.filter(pk__in=leaves) if f.leaf else qs.exclude(pk__in=leaves)
    return page(qs, ("code", "id"), f, lambda c: s.build_category(c, leaf=c.pk in leaves))


@router.get(
    "/categories/{category_id}",
    response={200: s.CategoryOut, **READ_ERRORS},
    url_name="category_detail",
)
def category_detail(request: HttpRequest, category_id: int = Path(..., ge=1, le=s.MAX_ID)) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    c = perms.get_visible_or_404(
        user, Category.objects.select_related("department"), pk=category_id
    )
    return s.build_category(c, leaf=c.pk in _leaf_ids())
