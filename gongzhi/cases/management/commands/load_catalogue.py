from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.cases.catalogue import default_taxonomy_path, load_catalogue


class Command(BaseCommand):
    help = "Load the category catalogue (12345 taxonomy + urban-management component/event classes). Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--taxonomy", type=Path, default=None, help="CSV with 一级分类,二级分类,三级分类"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["taxonomy"] or default_taxonomy_path()
        counts = load_catalogue(taxonomy=path)
        self.stdout.write(
            f"{path}: {counts['total']} categories ({counts['created']} created, {counts['updated']} updated)"
        )
