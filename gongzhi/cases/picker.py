"""The category picker: the catalogue's last-level categories grouped under their parents in
code order, searchable by characters, pinyin and pinyin initials ("blj" finds 暴露垃圾), as
one component on every intake form and the queue's filter.

Residents see plain names (no internal codes; a bare 其他 says of what); staff see the codes.
The queue's filter also offers each group as a whole ("全部…")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from . import sla
from .models import Category

GENERIC = {"其他", "其它", "其他类", "其他问题"}


@lru_cache(maxsize=4096)
def search_text(text: str) -> str:
    """What a search matches a name by: the characters, the pinyin without tones and the
    pinyin initials ("暴露垃圾 baolulaji blj")."""
    syllables = lazy_pinyin(text, errors="ignore")
    initials = "".join(s[0] for s in syllables if s)
    return f"{text} {''.join(syllables)} {initials}".lower()


@dataclass(frozen=True)
class Choice:
    value: int
    label: str
    search: str


@dataclass(frozen=True)
class Group:
    label: str
    value: int | None  # the group as a whole, where a filter may choose it
    choices: list[Choice]


def _path(cat: Category, by_id: dict[int, Category]) -> list[Category]:
    chain = []
    parent = by_id.get(cat.parent_id) if cat.parent_id else None
    while parent is not None:
        chain.append(parent)
        parent = by_id.get(parent.parent_id) if parent.parent_id else None
    return list(reversed(chain))


def groups(
    categories: Iterable[Category],
    *,
    staff: bool,
    whole_groups: bool = False,
    catalogue: Any = None,
) -> list[Group]:
    """The categories under their parents (a group per parent, named by its path), both in
    code order."""
    chosen = sorted(categories, key=lambda c: c.code)
    by_id = (catalogue or sla.catalogue()).objects  # every category, kept per process
    grouped: dict[int | None, list[Category]] = {}
    for cat in chosen:
        grouped.setdefault(cat.parent_id, []).append(cat)
    out = []
    for parent_id, members in sorted(
        grouped.items(),
        key=lambda item: by_id[item[0]].code if item[0] is not None and item[0] in by_id else "",
    ):
        parent = by_id.get(parent_id) if parent_id else None
        path = [*_path(members[0], by_id)]
        label = " › ".join(
            (f"{p.code} {p.name}" if staff and p is path[-1] else p.name) for p in path
        ) or str(Category.Kind(members[0].kind).label)
        choices = []
        for cat in members:
            name = cat.name
            if not staff and name in GENERIC and parent is not None:
                name = _("%(name)s (of %(group)s)") % {"name": name, "group": parent.name}
            shown = f"{cat.code} {name}" if staff else name
            words = " ".join([cat.name, *(p.name for p in path), cat.code if staff else ""])
            choices.append(Choice(cat.pk, shown, search_text(words) + " " + cat.code.lower()))
        out.append(Group(label, parent_id if whole_groups else None, choices))
    return out


def leaves(catalogue: Any = None) -> list[Category]:
    """The active last-level categories, from the catalogue kept per process (no query)."""
    cat = catalogue or sla.catalogue()
    return [
        c for c in cat.objects.values() if c.archived_at is None and c.pk not in cat.with_children
    ]


class PickerSelect(forms.Select):
    """A select of grouped categories with a search box above it (cases.js filters it)."""

    template_name = "cases/widgets/category_picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.search: dict[str, str] = {}

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: Any,
        index: int,
        subindex: Any = None,
        attrs: Any = None,
    ) -> dict[str, Any]:  # noqa: PLR0913
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        found = self.search.get(str(value))
        if found:
            option["attrs"]["data-search"] = found
        return option


def use_picker(
    field: forms.ModelChoiceField,
    *,
    staff: bool,
    whole_groups: bool = False,
    only_leaves: bool = False,
) -> None:
    """Show `field` (a category choice over its queryset) as the picker, listing the queryset
    (or, `only_leaves`, every active last-level category): the queryset still decides what is
    valid."""
    catalogue = sla.catalogue()
    found = groups(
        leaves(catalogue) if only_leaves else field.queryset,  # type: ignore[arg-type]
        staff=staff,
        whole_groups=whole_groups,
        catalogue=catalogue,
    )
    widget = PickerSelect(attrs=field.widget.attrs)
    choices: list[Any] = [("", field.empty_label or "")]
    for g in found:
        options = [(c.value, c.label) for c in g.choices]
        if g.value is not None:
            options.insert(0, (g.value, _("all of %(group)s") % {"group": g.label}))
            widget.search[str(g.value)] = search_text(g.label)
        choices.append((g.label, options))
        widget.search.update({str(c.value): c.search for c in g.choices})
    field.widget = widget
    field.choices = choices  # type: ignore[assignment]
