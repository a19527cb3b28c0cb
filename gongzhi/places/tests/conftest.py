"""These tests read messages in English (the msgids), whatever catalogue is compiled: code outside
requests runs with English active, and the test client chooses English by the language cookie."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
