"""The certificate of hours: a PDF with the Chinese font embedded, read back."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.utils import timezone

from gongzhi.servicecentre import certificates, services
from gongzhi.servicecentre.models import Opportunity, Shift, ShiftSignup

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    return "".join(text.replace("\x00", "").split())


def test_certificate_names_the_volunteer_hours_and_shifts(world, net):
    vol, _ = services.volunteer_join(actor=net.office_worker)
    opp = Opportunity.objects.create(
        title="交通巡逻",
        organiser=net.residential,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        shift_start=dt.time(7),
        shift_end=dt.time(8, 30),
    )
    start = timezone.now() - dt.timedelta(days=2)
    for i, hours in enumerate(("1.50", "2.00")):
        shift = Shift.objects.create(
            opportunity=opp,
            starts_at=start + dt.timedelta(days=i),
            ends_at=start + dt.timedelta(days=i, hours=2),
            needed=2,
        )
        su = ShiftSignup.objects.create(
            shift=shift, volunteer=vol, state=ShiftSignup.State.CHECKED_OUT
        )
        services.signup_act(actor=world.service_staff, signup=su, action="confirm", hours=hours)
    pdf = certificates.hours_certificate(vol, issued=dt.date(2026, 12, 7))
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert "志愿服务时长证明" in text
    assert "白领小林" in text and "杏梅园居民区" in text
    assert "3.50小时" in text and "交通巡逻" in text
    assert "2026年12月07日" in text
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = []
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        embedded.append(any(k.startswith("/FontFile") for k in descriptor))
        assert "CJK" in str(font["/BaseFont"])
    assert embedded and all(embedded)
