from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from gongzhi.api import services
from gongzhi.cases.tests.conftest import Centre, make_centre

API = "/api/v1"


class ApiClient:
    """A test client that sends a personal token, and JSON bodies."""

    def __init__(self, token: str | None, **headers: str) -> None:
        self.token = token
        self.client = Client()
        self.headers = dict(headers)
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(_url(path), params or {}, headers={**self.headers, **headers})

    def post(self, path: str, data: Any = None, **headers: str) -> Any:
        body = json.dumps(data if data is not None else {})
        return self.client.post(
            _url(path),
            body,
            content_type="application/json",
            headers={**self.headers, **headers},
        )


def _url(path: str) -> str:
    return path if path.startswith("/api/") else f"{API}{path}"


def token_for(user: Any, name: str = "tests") -> str:
    return services.token_create(actor=user, user=user, name=name).secret


@pytest.fixture
def centre(world) -> Centre:
    return make_centre(world)


@pytest.fixture
def api(world):
    """api("operator") → an ApiClient acting as that persona (a fresh token each call)."""
    made: dict[str, int] = {}

    def make(persona: str, **headers: str) -> ApiClient:
        user = world.users[persona]
        made[persona] = made.get(persona, 0) + 1
        return ApiClient(token_for(user, f"tests {made[persona]}"), **headers)

    return make
