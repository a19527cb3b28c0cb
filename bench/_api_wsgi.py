"""What bench_api.py serves with gunicorn: the project's WSGI application, plus one bare
endpoint for the baseline, POST /bench/bare-insert, that inserts one row with nothing in between
(read the JSON body, one INSERT through the same database connection, a JSON answer).
Benchmark only: never deployed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

django_application = get_wsgi_application()

BARE_PATH = "/bench/bare-insert"
BARE_TABLE = "bench_bare_insert"


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") != BARE_PATH or environ.get("REQUEST_METHOD") != "POST":
        return django_application(environ, start_response)
    from django.db import connection

    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BARE_TABLE} (description, created_at) VALUES (%s, now()) RETURNING id",  # noqa: S608
            [body.get("description", "")],
        )
        new_id = cursor.fetchone()[0]
    out = json.dumps({"id": new_id}).encode()
    start_response(
        "201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(out)))]
    )
    return [out]
