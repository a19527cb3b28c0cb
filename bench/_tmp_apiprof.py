import os, sys, json, random, uuid, time, cProfile, pstats
from _setup import setup_django
os.environ["BENCH_DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/gz_prof"
os.environ["GONGZHI_API_REQUESTS_PER_MINUTE"] = "0"
setup_django()
os.environ["GONGZHI_API_REQUESTS_PER_MINUTE"] = "0"
from django.conf import settings
from django.test import Client
from django.db import connection
from django.test.utils import CaptureQueriesContext
from gongzhi.api import services as api_services
from gongzhi.cases import sla
from gongzhi.cases.models import Category
from gongzhi.testing.geometry import lnglat
from gongzhi.testing.personas import build_world
world = build_world()
group = Category.objects.create(code="E01", name="x", kind="event", department=world.orgs["chengguan"])
cats = [Category.objects.create(code=f"E01{i:02d}", name=f"e{i}", kind="event", parent=group, group=group, level=2) for i in range(1, 6)]
sla.invalidate()
token = api_services.token_create(actor=world.operator, user=world.operator, name="bench").secret
rng = random.Random(1)
c = Client()
def body(i):
    lng, lat = lnglat(rng.uniform(5, 995), rng.uniform(5, 995))
    return json.dumps({"channel": "hotline", "type": "complaint", "category": rng.choice(cats).pk, "description": f"垃圾堆积（第{i}号）", "lat": lat, "lng": lng}, ensure_ascii=False)
def post(i):
    r = c.post("/api/v1/cases", body(i), content_type="application/json", headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.content
for i in range(300): post(i)
with CaptureQueriesContext(connection) as q:
    post(-1)
for x in q.captured_queries: print(x["sql"][:130])
t = time.perf_counter()
for i in range(300): post(i)
print("ms per filing", (time.perf_counter() - t) / 300 * 1000)
pr = cProfile.Profile(); pr.enable()
for i in range(300): post(i)
pr.disable()
pstats.Stats(pr).sort_stats("cumulative").print_stats(45)
