"""A receiving system for the webhook tests: a local HTTP server on 127.0.0.1 started by the test
(never the internet), which answers each request as told (a status code, or hang for a while)
and keeps what it received, raw, so the test can verify signatures as a receiver would."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gongzhi.cases.tests.conftest import centre  # noqa: F401  (fixture)
from gongzhi.core import tasks


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() when it arrived (follows time_machine)

    @property
    def signature(self) -> str:
        return self.headers.get("X-Gongzhi-Signature", "")

    @property
    def delivery_id(self) -> str:
        return self.headers.get("X-Gongzhi-Delivery", "")

    def json(self) -> Any:
        import json

        return json.loads(self.body.decode("utf-8"))


@dataclass
class Hang:
    """Answer only after `seconds` (or when the test ends)."""

    seconds: float
    status: int = 200


@dataclass
class Receiver:
    answers: list[int | Hang] = field(default_factory=list)
    default: int | Hang = 200
    received: list[Received] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.received.append(
                    Received(self.path, dict(self.headers.items()), body, time.time())
                )
                answer = receiver.answers.pop(0) if receiver.answers else receiver.default
                status = answer
                if isinstance(answer, Hang):
                    receiver.released.wait(answer.seconds)
                    status = answer.status
                try:
                    self.send_response(int(status))
                    self.send_header("Content-Type", "text/plain")
                    text = b"ok" if int(status) < 300 else b"receiver is unwell"
                    self.send_header("Content-Length", str(len(text)))
                    self.end_headers()
                    self.wfile.write(text)
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/gongzhi/events"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    """receiver(answers=[500, 200]) starts a local receiving server; closed after the test."""
    made: list[Receiver] = []

    def start(answers: list[int | Hang] | None = None, default: int | Hang = 200) -> Receiver:
        r = Receiver(list(answers or []), default)
        made.append(r)
        return r

    yield start
    for r in made:
        r.close()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.WEBHOOKS_CONNECT_TIMEOUT = 1
    settings.WEBHOOKS_TIMEOUT = 1
    settings.SITE_URL = "https://gongzhi.caoyang.example"
    settings.TASKS_BACKEND = "database"


def run_worker() -> int:
    """The database worker, once: periodic tasks that are due (the retry task among them), then
    every queued task that is due."""
    return tasks.work(once=True)


def subscribe(world: Any, url: str, events: list[str], **kw: Any):
    """A subscription made by the administrator; returns (subscription, secret)."""
    from gongzhi.webhooks import services

    return services.subscription_create(
        actor=world.admin,
        name=kw.pop("name", "区12345平台"),
        url=url,
        event_types=events,
        **kw,
    )
