"""What the HTTP benchmarks share: the project served by gunicorn with the bare endpoint
(`_api_wsgi.py`), and clients that send blocks of requests to it."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(port: int, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


def post(port: int, path: str, body: bytes, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", path, body, {"Content-Type": "application/json", **headers})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def run_block(
    port: int, requests: list[tuple[str, bytes, dict[str, str]]], clients: int
) -> tuple[float, dict[int, int]]:
    statuses: dict[int, int] = {}

    def one(req: tuple[str, bytes, dict[str, str]]) -> int:
        return post(port, *req)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for status in pool.map(one, requests):
            statuses[status] = statuses.get(status, 0) + 1
    return time.perf_counter() - start, statuses


@contextmanager
def served(workers: int) -> Iterator[int]:
    """gunicorn serving `_api_wsgi:application` on a free port (its port), stopped afterwards.
    One user sends everything, so the API's per-user rate limit is off."""
    port = free_port()
    env = {
        **os.environ,
        "GONGZHI_API_REQUESTS_PER_MINUTE": "0",
        "PYTHONPATH": str(ROOT / "bench"),
    }
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            "_api_wsgi:application",
        ],
        env=env,
        start_new_session=True,
    )
    try:
        wait_until_up(port)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
