"""The load test's users (locust), run by bench/loadtest.py (`./run loadtest`) against nginx in
front of two gunicorn app processes. A realistic mix of the people who use the product:

- residents report a problem on the public form (each from an address of their own, as nginx's
  X-Forwarded-For says), then open the tracking page;
- the hotline's integration files work orders through the REST API (token, Idempotency-Key);
- grid-centre operators look at the queue and file and dispatch the received cases;
- a department's handlers look at their inbox and accept what was dispatched to them;
- leaders look at the cockpit;
- outside developers read Open311.

Every accepted report's tracking code and every filed work order's id is written to
$LOADTEST_RECORD (JSON) when the run ends, with the figures, for loadtest.py to check against
the database. Facts about the seeded data (categories, places, logins, the API token) come from
$LOADTEST_FACTS. This module must not import Django (locust patches the standard library)."""

from __future__ import annotations

import json
import os
import random
import re
import uuid
from html.parser import HTMLParser
from typing import Any

from locust import HttpUser, between, events, task

FACTS: dict[str, Any] = json.loads(open(os.environ["LOADTEST_FACTS"], encoding="utf-8").read())  # noqa: SIM115
RECORD: dict[str, list[Any]] = {"reports": [], "work_orders": [], "conflicts": [], "refused": []}
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
TEXTS = [
    "小区门口垃圾三天没人收，味道很大",
    "人行道井盖缺失，晚上很危险",
    "机动车乱停放堵塞消防通道",
    "店外经营占道，行人只能走机动车道",
    "绿化带树枝折断挂在电线上",
    "楼道里有人给电动自行车充电",
    "路灯不亮已经一个星期了",
]


class Forms(HTMLParser):
    """The forms of a page: action and the values a browser would send unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("file", "submit", "button"):
                self.forms[-1]["fields"][a["name"]] = a.get("value", "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select:
            fields = self.forms[-1]["fields"]
            value = a.get("value", "")
            if "selected" in a or (value and not fields.get(self._select)):
                fields[self._select] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.forms[-1]["fields"][a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def form_for(html: str, action_suffix: str) -> dict[str, Any] | None:
    parser = Forms()
    parser.feed(html)
    for form in parser.forms:
        if form["action"].endswith(action_suffix):
            return form
    return None


def an_address() -> str:
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def a_phone() -> str:
    return f"139{random.randint(0, 99_999_999):08d}"


class Resident(HttpUser):
    """Reports on the public form, as a resident on a phone does: the form, then the post."""

    weight = 6
    wait_time = between(1, 4)

    @task
    def report(self) -> None:
        me = {"X-Forwarded-For": an_address()}
        self.client.get("/cases/report/", headers=me, name="resident: report form")
        lat, lng = random.choice(FACTS["points"])
        data = {
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            "category": random.choice(FACTS["public_categories"]),
            "type": "help",
            "description": f"{random.choice(TEXTS)}（{uuid.uuid4().hex[:6]}）",
            "lat": f"{lat:.7f}",
            "lng": f"{lng:.7f}",
            "reporter_name": "居民",
            "reporter_phone": a_phone(),
        }
        with self.client.post(
            "/cases/report/",
            data=data,
            headers={**me, "Referer": f"{self.host}/cases/report/"},
            allow_redirects=False,
            name="resident: file a report",
            catch_response=True,
        ) as r:
            found = re.search(r"/cases/track/([^/]+)/", r.headers.get("Location", ""))
            if r.status_code != 302 or not found:
                r.failure(f"report not taken: {r.status_code} {r.text[:200]}")
                return
            RECORD["reports"].append(found.group(1))
        self.client.get(
            f"/cases/track/{found.group(1)}/?new=1", headers=me, name="resident: tracking page"
        )


class Hotline(HttpUser):
    """The 12345 hotline's integration files its work orders through the REST API."""

    weight = 1
    wait_time = between(1, 3)

    @task
    def file_work_order(self) -> None:
        lat, lng = random.choice(FACTS["points"])
        body = {
            "channel": "hotline",
            "type": "complaint",
            "category": random.choice(FACTS["public_categories"]),
            "description": f"市民来电：{random.choice(TEXTS)}",
            "lat": lat,
            "lng": lng,
        }
        headers = {
            "Authorization": f"Bearer {FACTS['api_token']}",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        with self.client.post(
            "/api/v1/cases",
            json=body,
            headers=headers,
            name="hotline: POST /api/v1/cases",
            catch_response=True,
        ) as r:
            if r.status_code != 201:
                r.failure(f"work order not taken: {r.status_code} {r.text[:200]}")
                return
            RECORD["work_orders"].append(r.json()["case"]["id"])


class Staff(HttpUser):
    abstract = True
    username = ""

    def on_start(self) -> None:
        self.client.get("/accounts/login/", name="login form")
        with self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
                "username": self.username,
                "password": FACTS["password"],
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"{self.username} could not log in: {r.status_code}")

    def act(self, pk: str, action: str, label: str) -> bool:
        page = self.client.get(f"/cases/{pk}/", name=f"{label}: case page")
        form = form_for(page.text, f"/act/{action}/")
        if form is None:
            return False  # somebody else got there first, or not in this state
        fields = form["fields"]
        if "note" in fields and not fields["note"]:
            fields["note"] = "负载测试"
        with self.client.post(
            form["action"],
            data=fields,
            headers={"Referer": f"{self.host}/cases/{pk}/"},
            allow_redirects=False,
            name=f"{label}: {action}",
            catch_response=True,
        ) as r:
            if r.status_code == 409:  # two people on one case: the product says so, rightly
                RECORD["conflicts"].append([pk, action])
                r.success()
            elif r.status_code != 302:
                r.failure(f"{action} on {pk}: {r.status_code} {r.text[:300]}")
                return False
        return True


class Operator(Staff):
    """Works the queue: reads it, files what was received and dispatches it."""

    weight = 2
    wait_time = between(2, 6)
    username = "operator"

    @task(3)
    def queue(self) -> None:
        self.client.get("/cases/", name="operator: queue")

    @task(2)
    def file_and_dispatch(self) -> None:
        page = self.client.get("/cases/?state=received", name="operator: queue (received)")
        pks = CASE_LINK.findall(page.text)
        if not pks:
            return
        pk = random.choice(pks[:20])
        if self.act(pk, "file", "operator"):
            self.act(pk, "dispatch", "operator")


class Department(Staff):
    """A department's handler: the inbox, and accepting what was dispatched."""

    weight = 2
    wait_time = between(2, 6)
    username = FACTS.get("department_user", "dept_chengguan")

    @task(2)
    def inbox(self) -> None:
        self.client.get("/cases/inbox/", name="department: inbox")

    @task(1)
    def accept(self) -> None:
        page = self.client.get("/cases/inbox/?state=dispatched", name="department: inbox (new)")
        pks = CASE_LINK.findall(page.text)
        if pks:
            self.act(random.choice(pks[:20]), "accept", "department")


class Leader(Staff):
    """Looks at the cockpit now and then."""

    weight = 1
    wait_time = between(5, 10)
    username = "leader"

    @task
    def cockpit(self) -> None:
        self.client.get("/cockpit/", name="leader: cockpit")


class Open311Reader(HttpUser):
    """An outside developer's app reading Open311 GeoReport v2 without a key."""

    weight = 2
    wait_time = between(1, 4)

    @task(1)
    def services(self) -> None:
        self.client.get("/open311/v2/services.json", headers=self._me(), name="open311: services")

    @task(3)
    def requests(self) -> None:
        r = self.client.get(
            "/open311/v2/requests.json", headers=self._me(), name="open311: requests"
        )
        if r.status_code == 200 and r.json():
            one = random.choice(r.json())["service_request_id"]
            self.client.get(
                f"/open311/v2/requests/{one}.json", headers=self._me(), name="open311: a request"
            )

    def _me(self) -> dict[str, str]:
        return {"X-Forwarded-For": an_address()}


@events.quitting.add_listener
def _write_record(environment: Any, **kwargs: Any) -> None:
    stats = environment.stats.total
    figures = {
        "requests": stats.num_requests,
        "failures": stats.num_failures,
        "rps": stats.total_rps,
        "p50_ms": stats.get_response_time_percentile(0.50),
        "p95_ms": stats.get_response_time_percentile(0.95),
        "p99_ms": stats.get_response_time_percentile(0.99),
        "max_ms": stats.max_response_time,
        "by_name": {
            name: {
                "requests": s.num_requests,
                "failures": s.num_failures,
                "p50_ms": s.get_response_time_percentile(0.50),
                "p95_ms": s.get_response_time_percentile(0.95),
            }
            for (name, _method), s in sorted(environment.stats.entries.items())
        },
        "exceptions": [
            {"error": e["msg"][:300], "count": e["count"]}
            for e in (environment.runner.exceptions.values() if environment.runner else [])
        ],
        "errors": [
            {"name": e.name, "error": str(e.error)[:300], "count": e.occurrences}
            for e in environment.stats.errors.values()
        ],
    }
    with open(os.environ["LOADTEST_RECORD"], "w", encoding="utf-8") as out:
        json.dump({**RECORD, "figures": figures}, out, ensure_ascii=False, indent=1)
