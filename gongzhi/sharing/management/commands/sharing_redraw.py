"""Re-run a past parking lottery from its published inputs and say whether it gives the same
result: `manage.py sharing_redraw <draw id>`. Exit status 0 when it does, 1 when it does not."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.sharing.models import Draw
from gongzhi.sharing.services import redraw


class Command(BaseCommand):
    help = "Re-run a past parking lottery and print whether it gives the same result."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("draw_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            draw = Draw.objects.select_related("resource").get(pk=options["draw_id"])
        except Draw.DoesNotExist as exc:
            raise CommandError(f"No draw {options['draw_id']}.") from exc
        check = redraw(draw)
        inputs = draw.inputs
        self.stdout.write(
            f"Draw {draw.pk}: {draw.resource} {draw.period_from}–{draw.period_to}\n"
            f"seed: {draw.seed!r}  spaces: {inputs.get('spaces')}  "
            f"rules: {', '.join(inputs.get('rules', [])) or '-'}  "
            f"applications: {len(inputs.get('applications', []))}\n"
            f"allocated now: {len(check.result['allocated'])}, "
            f"recorded: {len(draw.result.get('allocated', []))}"
        )
        if check.same:
            self.stdout.write(self.style.SUCCESS("SAME: the re-run gives the recorded result."))
        else:
            self.stdout.write(
                self.style.ERROR("DIFFERENT: the re-run does not give the recorded result.")
            )
            raise SystemExit(1)
