"""A database restart while the site is under requests: gunicorn serving the product on a
PostgreSQL server of the test's own (initdb into a temporary folder, a free loopback port; the
shared server is never touched). While the server is down every request is answered with a 503,
Retry-After and a message that says to try again — never a 500 or a dropped connection — and
once it is back, requests succeed again without restarting the application.

Slow (a cluster is created and migrated): skipped where PostgreSQL's programs are missing."""

from __future__ import annotations

import glob
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BINDIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
PAGE = "/cases/report/"  # the public report form: reads the categories on every request
API = "/open311/v2/services.json"  # Open311: public, reads the categories


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


class Cluster:
    def __init__(self, bindir: str, folder: Path) -> None:
        self.bin = Path(bindir)
        self.data = folder / "data"
        self.port = free_port()
        self.log = folder / "postgres.log"

    def run(self, *argv: str) -> None:
        done = subprocess.run(  # noqa: S603
            as_postgres([str(self.bin / argv[0]), *argv[1:]]),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode:
            raise subprocess.CalledProcessError(done.returncode, argv[0], done.stdout, done.stderr)

    def init(self) -> None:
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "start", "-w", "-D", str(self.data), "-l", str(self.log), "-o", options)

    def stop(self) -> None:
        self.run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    if not BINDIRS or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip("PostgreSQL's programs (initdb, pg_ctl) are not installed")
    # Not under pytest's own temporary folders: those are private to the user running the tests.
    folder = Path(tempfile.mkdtemp(prefix="gongzhi-private-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    c = Cluster(BINDIRS[0], folder)
    try:
        c.init()
        c.start()
        yield c
    finally:
        try:
            c.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def served(cluster, tmp_path_factory) -> Iterator[int]:
    """gunicorn (2 workers) on the private server, migrated; its port."""
    var = tmp_path_factory.mktemp("var")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{cluster.port}/postgres",
        "GONGZHI_VAR_DIR": str(var),
        "GONGZHI_TESTING": "1",  # static files without collectstatic
        "DEBUG": "0",
        "SECRET_KEY": "database-restart-test-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "CRITICAL",
    }
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=1800,  # minutes on a loaded machine
    )
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "gongzhi.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "critical",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if get(port, "/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("gunicorn did not come up")
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def get(port: int, path: str) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept-Language": "zh-hans"})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
    finally:
        conn.close()


def test_a_database_restart_under_requests_answers_503_and_recovers_by_itself(cluster, served):
    port = served
    assert get(port, PAGE)[0] == 200
    statuses: list[int] = []
    broken: list[str] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            try:
                statuses.append(get(port, PAGE)[0])
            except OSError as exc:  # a dropped connection is what must not happen
                broken.append(repr(exc))
            time.sleep(0.02)

    clients = [threading.Thread(target=keep_asking) for _ in range(3)]
    for t in clients:
        t.start()
    try:
        time.sleep(1)
        cluster.stop()
        try:
            status, headers, body = get(port, PAGE)
            assert status == 503
            assert headers["retry-after"] == "30"
            assert "暂时无法使用" in body  # "temporarily unavailable", in the reader's language
            status, headers, body = get(port, API)
            assert status == 503 and headers["retry-after"] == "30"
            assert headers["content-type"].startswith("application/json") and "detail" in body
            ready = get(port, "/readyz")
            assert ready[0] == 503 and "database unavailable" in ready[2]
            time.sleep(1)
        finally:
            cluster.start()
        # Back without restarting gunicorn: the workers reconnect on their next request.
        deadline = time.monotonic() + 30
        while get(port, PAGE)[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
    finally:
        stop.set()
        for t in clients:
            t.join()
    assert get(port, PAGE)[0] == 200
    assert get(port, "/readyz")[0] == 200
    assert not broken, broken[:3]
    assert set(statuses) <= {200, 503}, sorted(set(statuses))
    assert 503 in statuses and statuses[-1] == 200
