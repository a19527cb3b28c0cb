"""Load the category catalogue that ships with the product (gongzhi/cases/data/catalogue.json):
all or nothing, idempotent. See gongzhi.cases.catalogue and docs/operations.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.cases.catalogue import (
    ESCALATE,
    MANUAL,
    SHIPPED,
    CatalogueError,
    LoadResult,
    load_catalogue,
)
from gongzhi.cases.models import Category

KINDS = (Category.Kind.COMPONENT, Category.Kind.EVENT, Category.Kind.HOTLINE)


class Command(BaseCommand):
    help = (
        "Load the category catalogue that ships with the product (urban-management component "
        "and event classes, 12345 work-order categories, routing, time limits) in one "
        "transaction. Codes are the natural keys: a changed row is updated, routing and time "
        "limits are only filled in where the deployment has none; loading again changes "
        "nothing. A bad file loads nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            default=None,
            help=f"a catalogue in the same format instead of the shipped one ({SHIPPED.name})",
        )
        parser.add_argument(
            "--hotline-taxonomy",
            type=Path,
            default=None,
            metavar="CSV",
            help="also import a three-level taxonomy (CSV: 一级分类,二级分类,三级分类) under the "
            "codes T01, T01-02, T01-02-03, without routing",
        )
        parser.add_argument(
            "--department",
            action="append",
            default=[],
            metavar="KEY=NAME",
            help="route a department key to the organisation with this name or short name "
            "(e.g. police=曹杨新村派出所); repeatable",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, then roll everything back"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        overrides: dict[str, str] = {}
        for item in options["department"]:
            key, sep, name = item.partition("=")
            if not sep or not key.strip() or not name.strip():
                raise CommandError(f"--department {item}: write KEY=NAME, e.g. police=派出所")
            overrides[key.strip()] = name.strip()
        try:
            result = load_catalogue(
                path=options["file"],
                taxonomy=options["hotline_taxonomy"],
                departments=overrides,
                dry_run=options["dry_run"],
            )
        except CatalogueError as exc:
            raise CommandError(f"{exc.message}\nNothing was loaded.") from exc
        self.report(result)

    def report(self, r: LoadResult) -> None:
        out = self.stdout.write
        out(f"Catalogue {r.source}: {r.total} categories")
        for kind in KINDS:
            out(
                f"  {kind:<10} created {r.created[kind]:>4}  updated {r.updated[kind]:>4}  "
                f"unchanged {r.unchanged[kind]:>4}  ({r.leaves[kind]} leaves)"
            )
        if r.imported:
            out(f"  of which {r.imported} from the hotline taxonomy (codes T..)")
        out("Routing (department: organisation, leaves):")
        for m in r.departments:
            d = m.department
            label = f"  {d.name} ({d.key}):"
            if d.special == ESCALATE:
                out(f"{label} escalated to the district: {m.leaves}")
            elif d.special == MANUAL:
                out(f"{label} dispatched case by case: {m.leaves}")
            elif m.organisation is not None:
                out(f"{label} {m.organisation.name}: {m.leaves}")
            elif m.candidates:
                out(self.style.WARNING(
                    f"{label} ambiguous ({', '.join(m.candidates)}): {m.leaves} leaves left "
                    f"without a department; choose with --department {d.key}=NAME"
                ))  # fmt: skip
            else:
                out(self.style.WARNING(
                    f"{label} not found (looked for {', '.join(d.match)}): {m.leaves} leaves "
                    f"left without a department; create it as a department, or use "
                    f"--department {d.key}=NAME, then load again"
                ))  # fmt: skip
        for code in r.conflicts:
            out(self.style.WARNING(
                f"  {code} is escalated in the catalogue but inherits a department set in the "
                "back office"
            ))  # fmt: skip
        out(
            f"Set now: {r.routed} departments, {r.described} descriptions, "
            f"{r.limits_created} time limits."
        )
        if r.archived:
            out(f"{r.archived} categories of the catalogue are archived here and stay archived.")
        if r.others:
            out(f"{r.others} other categories (not in the catalogue) were left as they are.")
        if r.dry_run:
            out(self.style.WARNING("Dry run: nothing was saved."))
        elif r.changed:
            out(self.style.SUCCESS("Loaded."))
        else:
            out(self.style.SUCCESS("Nothing to change: the catalogue is up to date."))
