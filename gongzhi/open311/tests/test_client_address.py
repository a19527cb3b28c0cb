"""Reads without a key are limited per client address: behind the proxy each client is counted
by the address nginx saw (gongzhi.core.http.client_ip), not by nginx's own."""

from __future__ import annotations

from gongzhi.open311.tests.conftest import errors


def test_behind_the_proxy_each_client_address_has_its_own_allowance(site, settings):
    settings.GONGZHI = {
        **settings.GONGZHI,
        "OPEN311_ANONYMOUS_PER_MINUTE": 2,
        "TRUSTED_PROXIES": ["127.0.0.1"],
    }
    one = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    for _ in range(2):
        assert site.http.get(site.url("services"), **one).status_code == 200
    refused = site.http.get(site.url("services"), **one)
    assert refused.status_code == 403 and errors(refused, "xml")[0][0] == "429"
    other = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.4"}
    assert site.http.get(site.url("services"), **other).status_code == 200
