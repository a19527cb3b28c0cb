"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest

from gongzhi.core.catalogues import compile_stale
from gongzhi.testing import dbcache
from gongzhi.testing.browser import browser, page, phone_page  # noqa: F401  (fixtures)
from gongzhi.testing.personas import World, build_world


def pytest_configure(config: pytest.Config) -> None:
    """The pages are tested in Chinese, so the .mo files must be there and current even when
    pytest is run directly, without `./run test` (which compiles them in its set-up)."""
    compile_stale()


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,  # noqa: ARG001
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,  # noqa: ARG001
):
    """pytest-django's own, with the SQLite schema restored from the copy kept by an earlier
    run instead of migrated again (gongzhi/testing/dbcache.py)."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    if not django_db_use_migrations:
        _disable_migrations()
    keepdb = django_db_keepdb and not django_db_createdb
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with (
        django_db_blocker.unblock(),
        dbcache.migrations_from_cache(django_db_use_migrations and not keepdb),
    ):
        db_cfg = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            **({"keepdb": True} if keepdb else {}),
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            try:
                teardown_databases(db_cfg, verbosity=verbosity)
            except Exception as exc:  # noqa: BLE001
                request.node.warn(pytest.PytestWarning(f"test database teardown: {exc!r}"))


@pytest.fixture
def world(db) -> World:  # noqa: ARG001
    return build_world()


@pytest.fixture(autouse=True)
def _fresh_working_calendar():
    """Calendar overrides made in one test must not linger in the per-process cache."""
    from gongzhi.worktime import calendar

    calendar.invalidate()
    yield
    calendar.invalidate()
