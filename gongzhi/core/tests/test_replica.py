"""DATABASE_REPLICA_URL: the dashboards' GET requests read from the read replica; writes, other
pages, logins and sessions stay on the primary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import RequestFactory

from gongzhi.cases.models import Case
from gongzhi.core.replica import ReplicaReadsMiddleware, ReplicaRouter, reading_replica

ROOT = Path(__file__).resolve().parents[3]


def _with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
    settings.GONGZHI = {**settings.GONGZHI, "REPLICA_PATHS": ["/cockpit/", "/stats/"]}


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_reads_go_to_the_replica_only_inside_a_dashboard_request(settings):
    _with_replica(settings)
    router = ReplicaRouter()
    assert router.db_for_read(Case) == "default"
    with reading_replica():
        assert router.db_for_read(Case) == "replica"
        assert router.db_for_write(Case) == "default"
        assert router.db_for_read(Session) == "default"  # never stale sessions
    assert router.allow_migrate("replica", "cases") is False
    seen = []
    middleware = ReplicaReadsMiddleware(
        lambda r: seen.append(router.db_for_read(Case)) or HttpResponse()
    )
    rf = RequestFactory()
    for request in (
        rf.get("/cockpit/"),
        rf.get("/stats/cases/"),
        rf.post("/cockpit/"),
        rf.get("/cases/"),
    ):
        middleware(request)
    assert seen == ["replica", "replica", "default", "default"]


def test_without_a_replica_everything_reads_the_primary(settings):
    assert "replica" not in settings.DATABASES
    with reading_replica():
        assert ReplicaRouter().db_for_read(Case) == "default"


def test_the_replica_is_configured_from_the_environment():
    code = (
        "import json; from gongzhi import settings as s; print(json.dumps([sorted(s.DATABASES), "
        "getattr(s, 'DATABASE_ROUTERS', []), 'gongzhi.core.replica.ReplicaReadsMiddleware' in s.MIDDLEWARE]))"
    )
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_REPLICA_URL": "postgres://reader@10.0.0.2:5432/gongzhi",
    }
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [
        ["default", "replica"],
        ["gongzhi.core.replica.ReplicaRouter"],
        True,
    ]
