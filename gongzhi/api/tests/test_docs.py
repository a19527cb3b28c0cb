"""The OpenAPI schema and the interactive documentation, which must work offline."""

from __future__ import annotations

import json
import re

from django.contrib.staticfiles import finders
from django.test import Client


def _no_duplicate_keys(pairs):
    keys = [k for k, _v in pairs]
    assert len(keys) == len(set(keys)), keys  # Swagger UI refuses a schema with duplicates
    return dict(pairs)


def test_the_schema_is_openapi_3_and_every_operation_needs_authentication(db):
    raw = Client().get("/api/v1/openapi.json").content
    schema = json.loads(raw, object_pairs_hook=_no_duplicate_keys)
    assert schema["openapi"].startswith("3.")
    assert "ErrorOut" in schema["components"]["schemas"]
    ops = [(p, m, op) for p, item in schema["paths"].items() for m, op in item.items()]
    assert len(ops) > 30
    for path, method, op in ops:
        assert op.get("security"), (path, method)
        assert "401" in op["responses"], (path, method)
        names = {p["name"] for p in op.get("parameters", [])}
        if method == "post":
            assert "Idempotency-Key" in names, path
        if method == "get":
            assert "If-None-Match" in names and "304" in op["responses"], path
            assert "ETag" in op["responses"]["200"].get("headers", {}), path


def test_the_docs_page_loads_nothing_from_another_host(db):
    r = Client().get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/static/") for u in urls), urls
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html  # Swagger UI would otherwise call validator.swagger.io
    for url in urls:
        assert finders.find(url.removeprefix("/static/")), url  # installed, served locally
