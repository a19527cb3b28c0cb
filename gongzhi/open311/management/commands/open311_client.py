"""Open311 clients from the command line. The key is printed once, when issued or rotated:

manage.py open311_client create "随申办" --contact "…" [--channel hotline] [--per-minute 30]
manage.py open311_client rotate "随申办"
manage.py open311_client deactivate "随申办"   (and activate)
manage.py open311_client list
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.cases.models import Case
from gongzhi.core.errors import ServiceError
from gongzhi.open311 import services
from gongzhi.open311.models import Open311Client

ACTOR = "manage.py open311_client"


class Command(BaseCommand):
    help = "Issue, rotate, deactivate and list the API keys of Open311 client applications."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a client and print its key once.")
        create.add_argument("name")
        create.add_argument("--contact", default="")
        create.add_argument(
            "--channel",
            choices=[c for c, _ in Open311Client.CHANNELS],
            default=Case.Channel.RESIDENT,
            help="resident (default) or hotline for the 12345 system",
        )
        create.add_argument("--per-minute", type=int, default=30)
        create.add_argument("--per-hour", type=int, default=600)
        for name, text in (
            ("rotate", "Issue a new key (the old one stops working) and print it once."),
            ("deactivate", "Refuse the client's key from now on."),
            ("activate", "Accept the client's key again."),
        ):
            sub.add_parser(name, help=text).add_argument("name")
        sub.add_parser("list", help="The clients, their key prefixes and last use.")

    def _client(self, name: str) -> Open311Client:
        client = Open311Client.objects.filter(name=name).first()
        if client is None:
            raise CommandError(f"No Open311 client is named {name!r}.")
        return client

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "create":
                client, key = services.client_create(
                    actor=ACTOR,
                    name=options["name"],
                    contact=options["contact"],
                    channel=options["channel"],
                    per_minute=options["per_minute"],
                    per_hour=options["per_hour"],
                )
                self._print_key(client, key)
            elif action == "rotate":
                client = self._client(options["name"])
                self._print_key(client, services.client_rotate_key(actor=ACTOR, client=client))
            elif action in ("activate", "deactivate"):
                client = self._client(options["name"])
                services.client_update(actor=ACTOR, client=client, active=action == "activate")
                self.stdout.write(f"{client.name}: {'active' if client.active else 'inactive'}")
            else:
                for c in Open311Client.objects.order_by("name"):
                    used = c.last_used_at.isoformat(timespec="seconds") if c.last_used_at else "-"
                    state = "active" if c.active and c.archived_at is None else "inactive"
                    self.stdout.write(
                        f"{c.name}\t{c.key_prefix}\t{c.channel}\t{state}\t"
                        f"{c.per_minute}/min {c.per_hour}/h\tlast used {used}"
                    )
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc

    def _print_key(self, client: Open311Client, key: str) -> None:
        self.stdout.write(f"{client.name}: API key (shown only this once, it is not stored):")
        self.stdout.write(key)
