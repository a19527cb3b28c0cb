"""The production layout under load, on this machine's loopback (`./run loadtest`):

    nginx (127.0.0.1, generated config in var/loadtest/)  ->  2 gunicorn app processes
    PostgreSQL (database gz_load on the local server)  ·  Redis (cache, sessions, Celery broker)
    a Celery worker with its beat (TASKS_BACKEND=celery)

It creates the database afresh, migrates, seeds a small demo, starts everything, runs locust
headless for a fixed time with a fixed number of users (bench/locustfile.py: residents filing
reports on the public form, the hotline's API filing work orders, operators filing and
dispatching from the queue, a department accepting, leaders on the cockpit, Open311 readers),
measures a baseline through the same chain (GET /healthz: nginx, gunicorn, one SELECT 1) in the
same run, then checks that no request failed and that every accepted report exists exactly once in the
database, prints requests per second and p50/p95/p99, and stops everything it started (also on
Ctrl-C or an error).

    ./run loadtest [--duration 90] [--users 24] [--spawn-rate 4] [--cases 2000] [--reseed] [--keep]

LOADTEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gz_load) is dropped and
created again from <name>_seed, the seeded demo, which the first run makes (minutes; again with
--reseed or another --cases): point it at scratch names. Media go to var/loadtest/. LOADTEST_REDIS_URL (default
redis://127.0.0.1:6379/5) is the Redis database for the cache and sessions (keys under the
prefix gzload), the Celery broker the next one. Exit status 1 when a check fails."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "loadtest"
BIN = Path(sys.executable).parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/gz_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def get(port: int, path: str, timeout: float = 5) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def wait_until_up(port: int, what: str, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if get(port, "/readyz") == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{what} did not come up on port {port} (logs in {VAR})")


class Processes:
    """Everything started, each in a process group of its own, stopped in reverse order."""

    def __init__(self) -> None:
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = open(VAR / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(  # noqa: S603
            argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, proc))
        return proc

    def check_alive(self) -> None:
        for name, proc in self.started:
            if proc.poll() is not None:
                raise SystemExit(f"{name} stopped (exit {proc.returncode}); see {VAR}/{name}.log")

    def stop(self) -> None:
        for _name, proc in reversed(self.started):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 30
        for name, proc in reversed(self.started):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop: killing it")
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.started.clear()


def _admin(url: str) -> str:
    return url.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"


def fresh_database(url: str, env: dict[str, str], cases: int, reseed: bool) -> None:
    """The run's database, copied from <name>_seed: the migrated, seeded demo, made once (the
    seed takes minutes on a loaded machine) and again when --reseed or --cases asks for it.
    Copying a template database takes seconds; `migrate` then adds any newer migration."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    seed = f"{name}_seed"
    mark = f"gongzhi load test seed: cases={cases}"
    with psycopg.connect(_admin(url), autocommit=True) as c:
        row = c.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [seed],
        ).fetchone()
        if reseed or row is None or row[0] != mark:
            say(f"seeding the demo ({cases} cases) into {seed}: minutes, once")
            c.execute(f'DROP DATABASE IF EXISTS "{seed}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{seed}"')
            seed_env = {**env, "DATABASE_URL": url.rsplit("/", 1)[0] + "/" + seed}
            manage(seed_env, "migrate", "--no-input", "-v", "0")
            manage(seed_env, "seed_demo", "-v", "0", "--cases", str(cases))
            c.execute(f"COMMENT ON DATABASE \"{seed}\" IS '{mark}'")
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{seed}"')
    manage(env, "migrate", "--no-input", "-v", "0")


def environment(args: argparse.Namespace) -> dict[str, str]:
    redis = args.redis_url.rstrip("/")
    base, _, number = redis.rpartition("/")
    broker = f"{base}/{int(number) + 1}" if number.isdigit() else redis
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
        "DEBUG": "0",
        # GONGZHI_DEMO: the demo's logins without two-factor codes and cookies over plain http.
        "GONGZHI_DEMO": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "GONGZHI_VAR_DIR": str(VAR),
        "REDIS_URL": redis,
        "REDIS_KEY_PREFIX": "gzload",
        "TASKS_BACKEND": "celery",
        "CELERY_BROKER_URL": broker,
        "GONGZHI_TRUSTED_PROXIES": "127.0.0.1",
        "GONGZHI_DEMO_CASES": str(args.cases),
        "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


NGINX_CONF = """# Generated by bench/loadtest.py: the layout of docs/operations.md, on loopback.
worker_processes 1;
daemon off;
pid {var}/nginx.pid;
error_log {var}/nginx-error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log {var}/nginx-access.log;
    client_body_temp_path {var}/nginx-tmp/body;
    proxy_temp_path {var}/nginx-tmp/proxy;
    fastcgi_temp_path {var}/nginx-tmp/fastcgi;
    uwsgi_temp_path {var}/nginx-tmp/uwsgi;
    scgi_temp_path {var}/nginx-tmp/scgi;
    upstream gongzhi {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 100m;        # up to 9 photos of 10 MB each
        location /static/ {{ alias {var}/static/; expires 30d; }}
        location /media/ {{ return 404; }}  # photos only through the app's permission checks
        location / {{
            proxy_pass http://gongzhi;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


def nginx_config(port: int, app_ports: list[int]) -> Path:
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (VAR / "nginx-tmp" / sub).mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in app_ports)
    # As root, nginx's workers would become `nobody`, who may not read var/: keep root here
    # (loopback only). A server runs nginx as its own user (docs/operations.md).
    user = "user root;" if os.geteuid() == 0 else ""
    path = VAR / "nginx.conf"
    path.write_text(NGINX_CONF.format(var=VAR, user=user, servers=servers, port=port))
    return path


def manage(env: dict[str, str], *argv: str) -> str:
    out = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *argv],
        env=env,
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"manage.py {' '.join(argv)} failed:\n{out.stderr[-3000:]}")
    return out.stdout


FACTS_CODE = """
import json, django
django.setup()
from gongzhi.accounts.models import User
from gongzhi.api import services as api_services
from gongzhi.cases.models import Case, Category
from gongzhi.core.roles import access_for
from gongzhi.demo.accounts import DEMO_PASSWORD
handler = User.objects.get(username="dept_chengguan")
departments = access_for(handler).department_ids
categories = sorted(set(
    Case.objects.filter(department_id__in=departments, category__public=True, category__archived_at__isnull=True)
    .values_list("category_id", flat=True)
))
points = list(
    Case.objects.filter(grid__isnull=False, lat__isnull=False).order_by("?")
    .values_list("lat", "lng")[:300]
)
operator = User.objects.get(username="operator")
token = api_services.token_create(actor=operator, user=operator, name="loadtest").secret
print(json.dumps({
    "password": DEMO_PASSWORD, "department_user": "dept_chengguan",
    "public_categories": categories[:40], "points": points, "api_token": token,
}))
"""

VERIFY_CODE = """
import json, sys, django
django.setup()
from django.db.models import Count
from gongzhi.cases.models import Case
record = json.load(open(sys.argv[1], encoding="utf-8"))
before = int(sys.argv[2])
codes = record["reports"]
ids = record["work_orders"]
found = dict(
    Case.objects.filter(tracking_code__in=codes).values_list("tracking_code")
    .annotate(n=Count("id")).values_list("tracking_code", "n")
)
print(json.dumps({
    "reports_accepted": len(codes),
    "reports_distinct": len(set(codes)),
    "reports_found_once": sum(1 for c in set(codes) if found.get(c) == 1),
    "reports_duplicated": sum(1 for c in set(codes) if found.get(c, 0) > 1),
    "work_orders_accepted": len(ids),
    "work_orders_found": Case.objects.filter(pk__in=ids).count(),
    "cases_added": Case.objects.count() - before,
}))
"""


def django_json(env: dict[str, str], code: str, *argv: str) -> Any:
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, *argv],
        env=env,
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"a step in Django failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def baseline(port: int, seconds: float, clients: int) -> dict[str, float]:
    """GET /healthz through the same nginx and gunicorn (one SELECT 1, no page), from `clients`
    threads for `seconds`: what the chain itself costs on this machine at this moment."""
    from concurrent.futures import ThreadPoolExecutor

    end = time.monotonic() + seconds
    timings: list[float] = []
    errors = 0

    def client() -> None:
        nonlocal errors
        while time.monotonic() < end:
            start = time.perf_counter()
            try:
                ok = get(port, "/healthz") == 200
            except OSError:
                ok = False
            if ok:
                timings.append(time.perf_counter() - start)
            else:
                errors += 1

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        for _ in range(clients):
            pool.submit(client)
    elapsed = time.monotonic() - started
    timings.sort()

    def pct(q: float) -> float:
        return 1000 * timings[min(len(timings) - 1, int(q * len(timings)))] if timings else 0.0

    return {
        "requests": len(timings),
        "errors": errors,
        "rps": len(timings) / elapsed,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
    }


def warm_up(ports: list[int], workers: int) -> None:
    """A production server is warm: send each worker its first public pages before measuring."""
    from concurrent.futures import ThreadPoolExecutor

    paths = ["/cases/report/", "/open311/v2/requests.json", "/open311/v2/services.json"]
    jobs = [(port, path) for port in ports for path in paths for _ in range(2 * workers)]

    def one(job: tuple[int, str]) -> None:
        try:
            get(*job, timeout=120)
        except OSError:
            pass  # the run itself will say whether the servers answer

    with ThreadPoolExecutor(2 * workers) as pool:
        list(pool.map(one, jobs))


def machine() -> str:
    import platform

    load = os.getloadavg()
    return (
        f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average before the run {load[0]:.1f}"
    )


def run(args: argparse.Namespace, procs: Processes) -> int:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        raise SystemExit("nginx is needed: apt-get install nginx-light (./run loadtest does it)")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    VAR.mkdir(parents=True, exist_ok=True)
    for old in VAR.glob("*.log"):
        old.unlink()
    env = environment(args)
    started = time.monotonic()
    say(f"database {args.database_url.rsplit('/', 1)[1]} from the seeded demo, static files")
    fresh_database(args.database_url, env, args.cases, args.reseed)
    manifest = VAR / "static" / "staticfiles.json"
    sources = [p for p in (ROOT / "gongzhi").rglob("static/**/*") if p.is_file()]
    if not manifest.exists() or any(p.stat().st_mtime > manifest.stat().st_mtime for p in sources):
        manage(env, "collectstatic", "--no-input", "-v", "0")  # minutes: compresses everything
    facts = django_json(env, FACTS_CODE)
    (VAR / "facts.json").write_text(json.dumps(facts, ensure_ascii=False))
    if not facts["public_categories"] or not facts["points"]:
        raise SystemExit("the demo has no public categories of the department or no places")
    say(f"set up in {time.monotonic() - started:.0f} s")

    app_ports = [free_port(), free_port()]
    for i, port in enumerate(app_ports, 1):
        procs.start(
            f"gunicorn-{i}",
            [
                str(BIN / "gunicorn"),
                "gongzhi.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "20",
                "--access-logfile",
                str(VAR / f"gunicorn-{i}-access.log"),
            ],
            env,
        )
    procs.start(
        "celery",
        [
            str(BIN / "celery"),
            "-A",
            "gongzhi",
            "worker",
            "-B",
            "-s",
            str(VAR / "celerybeat-schedule"),
            "--concurrency",
            "1",
            "-l",
            "warning",
        ],
        env,
    )
    for port in app_ports:
        wait_until_up(port, "gunicorn")
    nginx_port = free_port()
    conf = nginx_config(nginx_port, app_ports)
    procs.start("nginx", [nginx, "-c", str(conf), "-e", str(VAR / "nginx-error.log")], env)
    wait_until_up(nginx_port, "nginx")
    procs.check_alive()
    say(
        f"nginx on 127.0.0.1:{nginx_port} -> gunicorn on {app_ports} ({args.workers} workers "
        "each), PostgreSQL, Redis, Celery worker + beat"
    )
    before = django_json(
        env,
        "import django, json; django.setup(); from gongzhi.cases.models import Case; "
        "print(json.dumps(Case.objects.count()))",
    )
    say("warming up each app server's workers (first requests load the catalogues and indexes)")
    warm_up(app_ports, args.workers)
    load_before = machine()
    say(
        f"baseline: GET /healthz through nginx for {args.baseline} s, {args.users // 3 or 1} clients"
    )
    base = baseline(nginx_port, args.baseline, args.users // 3 or 1)
    say(f"locust: {args.users} users, spawn rate {args.spawn_rate}/s, {args.duration} s")
    record = VAR / "record.json"
    locust = subprocess.run(  # noqa: S603
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{nginx_port}",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.spawn_rate),
            "--run-time",
            f"{args.duration}s",
            "--stop-timeout",
            "20",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env={
            **os.environ,
            "LOADTEST_FACTS": str(VAR / "facts.json"),
            "LOADTEST_RECORD": str(record),
        },
        cwd=ROOT,
        timeout=args.duration + 120,
        check=False,
    )
    procs.check_alive()
    data = json.loads(record.read_text(encoding="utf-8"))
    checked = django_json(env, VERIFY_CODE, str(record), str(before))
    f = data["figures"]
    problems = []
    if f["failures"]:
        problems.append(f"{f['failures']} requests failed: {f['errors']}")
    if f["exceptions"]:
        problems.append(f"the load script broke: {f['exceptions']}")
    if checked["reports_found_once"] != checked["reports_distinct"] or (
        checked["reports_distinct"] != checked["reports_accepted"]
    ):
        problems.append(f"accepted reports missing or doubled: {checked}")
    if checked["work_orders_found"] != checked["work_orders_accepted"]:
        problems.append(f"accepted work orders missing: {checked}")
    accepted = checked["reports_accepted"] + checked["work_orders_accepted"]
    if checked["cases_added"] != accepted:
        problems.append(f"{checked['cases_added']} cases added for {accepted} accepted")
    if locust.returncode not in (0, 1):
        problems.append(f"locust exited with {locust.returncode}")
    result = {
        "machine": load_before,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "layout": f"nginx -> 2 gunicorn × {args.workers} sync workers, PostgreSQL, Redis, Celery",
        "users": args.users,
        "duration_s": args.duration,
        "figures": f,
        "checked": checked,
        "conflicts_409": len(data["conflicts"]),
        "baseline_healthz": base,
        "problems": problems,
    }
    (VAR / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print()
    print(f"machine: {load_before}; {result['layout']}")
    print(
        f"{args.users} users for {args.duration} s: {f['requests']} requests, {f['failures']} failed"
    )
    print(
        f"sustained {f['rps']:.1f} requests/s; latency p50 {f['p50_ms']:.0f} ms, "
        f"p95 {f['p95_ms']:.0f} ms, p99 {f['p99_ms']:.0f} ms, max {f['max_ms']:.0f} ms"
    )
    print(
        f"baseline GET /healthz through the same chain: {base['rps']:.1f} requests/s, p50 "
        f"{base['p50_ms']:.0f} ms, p95 {base['p95_ms']:.0f} ms, p99 {base['p99_ms']:.0f} ms; "
        f"the mix's p50 is {f['p50_ms'] / max(base['p50_ms'], 0.001):.1f}x the baseline's"
    )
    print(
        f"reports accepted {checked['reports_accepted']} (each found once: "
        f"{checked['reports_found_once']}), API work orders {checked['work_orders_accepted']} "
        f"(found {checked['work_orders_found']}), cases added {checked['cases_added']}; "
        f"409 conflicts between two staff on one case: {result['conflicts_409']}"
    )
    for name, s in f["by_name"].items():
        if name != "Aggregated":
            print(
                f"  {name:<40} {s['requests']:>6} req  p50 {s['p50_ms']:>5.0f} ms  "
                f"p95 {s['p95_ms']:>5.0f} ms  failed {s['failures']}"
            )
    for problem in problems:
        print(f"FAILED: {problem}")
    print(f"details: {VAR}/result.json; logs in {VAR}/")
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=90, help="seconds of load (default 90)")
    parser.add_argument("--users", type=int, default=24, help="simulated users (default 24)")
    parser.add_argument("--spawn-rate", type=float, default=4, help="users started per second")
    parser.add_argument("--workers", type=int, default=2, help="workers per gunicorn (2)")
    parser.add_argument("--cases", type=int, default=2000, help="cases of demo history (2000)")
    parser.add_argument("--baseline", type=float, default=10, help="seconds of /healthz (10)")
    parser.add_argument("--reseed", action="store_true", help="seed the demo again")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    args.database_url = os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DB)
    args.redis_url = os.environ.get("LOADTEST_REDIS_URL", DEFAULT_REDIS)
    if not args.database_url.startswith("postgres"):
        raise SystemExit("the load test runs on PostgreSQL: LOADTEST_DATABASE_URL=postgres://…")

    procs = Processes()

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    status = 1
    try:
        status = run(args, procs)
    finally:
        procs.stop()
        if not args.keep:
            try:
                import psycopg

                name = args.database_url.rsplit("/", 1)[1]
                with psycopg.connect(_admin(args.database_url), autocommit=True) as c:
                    c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as exc:  # noqa: BLE001 (cleaning up: say so, don't hide the result)
                say(f"could not drop the load test's database: {exc}")
        _flush_redis(args.redis_url)
    sys.exit(status)


def _flush_redis(url: str) -> None:
    """Removes the run's cache and session keys (prefix gzload)."""
    try:
        import redis

        cache = redis.Redis.from_url(url)
        keys = list(cache.scan_iter("gzload:*"))
        if keys:
            cache.delete(*keys)
    except Exception as exc:  # noqa: BLE001
        say(f"could not clean Redis: {exc}")


if __name__ == "__main__":
    main()
