"""Monitoring: /readyz says whether this installation can serve (database and migrations),
/metrics gives Prometheus the queue and worker figures (to allowed addresses only), and a
database that goes away makes pages answer 503 with Retry-After — then they recover by
themselves once it is back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.django_db


def test_ready_and_healthy(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_metrics_for_prometheus_from_allowed_addresses_only(client, world, settings):
    from gongzhi.cases.tests.conftest import make_centre

    make_centre(world).intake()
    text = client.get("/metrics").content.decode()
    assert "# TYPE gongzhi_up gauge\ngongzhi_up 1" in text
    assert 'gongzhi_cases_open{state="received"} 1' in text
    assert 'gongzhi_tasks{status="queued"}' in text
    assert "gongzhi_audit_unsealed_rows " in text
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_answers_503_and_recovers(world):
    if connection.vendor != "postgresql":
        pytest.skip("the outage is made by pointing the connection at a closed port (PostgreSQL)")
    client = Client(raise_request_exception=False)  # as a browser sees it
    client.force_login(world.operator)
    assert client.get("/cases/").status_code == 200
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there: as if the server were down
    try:
        page = client.get("/cases/")
        assert page.status_code == 503 and page["Retry-After"] == "30"
        assert "暂时无法使用" in page.content.decode()
        api = client.get("/api/v1/cases")
        assert api.status_code == 503 and "detail" in api.json()
        open311 = client.get("/open311/v2/services.json")  # not its "general service error"
        assert open311.status_code == 503 and open311["Retry-After"] == "30"
        assert client.get("/readyz").status_code == 503
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert client.get("/cases/").status_code == 200  # back by itself, no restart
