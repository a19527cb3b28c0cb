from __future__ import annotations

import pytest

from gongzhi.cases.tests.conftest import centre  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _plain_settings(settings):
    """Messages are signed the same way in every test, whatever the environment says."""
    settings.NOTIFY_SIGNATURE = {"zh-hans": "曹杨新村街道", "en": "Caoyang New Village Subdistrict"}
    settings.SMS_BACKEND = "gongzhi.notifications.sms.LoggingSmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = ""
