"""Seed stage "accounts": one login per demo account (gongzhi.demo.accounts), each linked to
the person whose positions give it its role. The password is hashed once and the hash reused:
Argon2 is deliberately slow."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from gongzhi.accounts.models import User
from gongzhi.core.seeding import SeedContext
from gongzhi.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from gongzhi.org.demo.people import People


def run(ctx: SeedContext) -> None:
    people: People = ctx.made["people"]
    wanted = [a.username for a in DEMO_ACCOUNTS]
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    for username in sorted(existing):
        ctx.notes.append(f"User {username!r} already exists and was left as it is.")
    password = make_password(DEMO_PASSWORD)
    users = []
    for account in DEMO_ACCOUNTS:
        if account.username in existing:
            continue
        person = people.accounts[account.username]
        admin = account.access == "admin"
        users.append(
            User(
                username=account.username,
                password=password,
                person=person,
                is_superuser=admin,
                is_staff=admin,
            )
        )
    ctx.create(User, users)
