"""The grid centre's staff on top of the world fixture, a clock in Shanghai time, and English
messages (the msgids) whatever catalogue is compiled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from gongzhi.accounts.tests.factories import UserFactory
from gongzhi.cases.tests.conftest import centre  # noqa: F401  (fixture)
from gongzhi.duty import services
from gongzhi.duty.models import ShiftPattern
from gongzhi.duty.tests.factories import default_patterns
from gongzhi.org.models import Position
from gongzhi.org.tests.factories import PersonFactory, PositionFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
R = Position.Role


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _keep_person_sequence_small():
    """PersonFactory numbers mobiles f"1380000{n:04d}", which stop being valid mobile numbers
    once n passes 9999 in one test process; these tests build many worlds, so start the
    sequence again after each (see the report: the factory should use f"138{n:08d}")."""
    yield
    PersonFactory.reset_sequence()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@dataclass
class Staff:
    world: Any
    chief2: Any  # a second duty chief (user)
    op2: Any  # two more operators (users)
    op3: Any
    day: ShiftPattern
    night: ShiftPattern

    @property
    def chief(self) -> Any:
        return self.world.duty_chief

    @property
    def operator(self) -> Any:
        return self.world.operator

    def rotation(self, **kw: Any) -> services.Rotation:
        """Chiefs: duty_chief, chief2; operators: operator, op2, op3; two per shift."""
        return services.Rotation(
            chiefs=kw.pop("chiefs", [self.chief.person, self.chief2.person]),
            operators=kw.pop("operators", [self.operator.person, self.op2.person, self.op3.person]),
            **kw,
        )

    def roster(self, start: dt.date, days: int = 7, now: dt.datetime | None = None, **kw: Any):
        return services.roster_generate(
            actor=self.chief,
            start=start,
            days=days,
            rotation=self.rotation(**kw),
            now=now or at(start.year, start.month, start.day) - dt.timedelta(days=1),
        )


def centre_user(username: str, org: Any, role: str, name: str) -> Any:
    person = PersonFactory(name=name)
    PositionFactory(person=person, organisation=org, role=role)
    return UserFactory(username=username, person=person)


@pytest.fixture
def staff(world) -> Staff:
    centre_org = world.orgs["centre"]
    day, night = default_patterns()
    return Staff(
        world=world,
        chief2=centre_user("chief2", centre_org, R.DUTY_CHIEF, name="周值班"),
        op2=centre_user("op2", centre_org, R.OPERATOR, name="吴受理"),
        op3=centre_user("op3", centre_org, R.OPERATOR, name="郑受理"),
        day=day,
        night=night,
    )
