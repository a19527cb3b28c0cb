"""A refusal the product answers on purpose is one line in the log, without a traceback, and
only once; a server error keeps its traceback."""

from __future__ import annotations

import io
import logging
import logging.config
import sys

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines(monkeypatch):
    """The product's logging as deployed, its console writing into a buffer."""
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    logging.config.dictConfig(settings.LOGGING)
    yield lambda: buffer.getvalue().splitlines()
    monkeypatch.undo()
    logging.config.dictConfig(settings.LOGGING)  # back on the real stderr


def test_a_refused_page_is_one_line_without_a_traceback(world, log_lines):
    c = Client()
    c.force_login(world.resident)
    assert c.get("/audit/").status_code == 403
    lines = [line for line in log_lines() if line.strip()]
    assert len(lines) == 1, "\n".join(lines)
    assert "Forbidden" in lines[0] and "/audit/" in lines[0]


def test_a_server_error_keeps_its_traceback(log_lines):
    logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.error("Internal Server Error: /x", exc_info=True, extra={"status_code": 500})
    text = "\n".join(log_lines())
    assert "Traceback" in text and "RuntimeError: boom" in text
