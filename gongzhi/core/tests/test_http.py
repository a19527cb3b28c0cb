"""The client's address: X-Forwarded-For is believed only from a trusted proxy, read right to
left; without one it is ignored, so nobody can choose the address the audit trail records."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from gongzhi.core.http import client_address, client_ip, parse_address, parse_networks


@pytest.fixture
def proxies(settings):
    def trust(*entries: str) -> None:
        settings.GONGZHI = {**settings.GONGZHI, "TRUSTED_PROXIES": list(entries)}

    return trust


def ip_of(remote: str, forwarded: str | None = None) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_without_a_trusted_proxy_the_header_is_ignored(proxies):
    proxies()
    assert ip_of("203.0.113.7") == "203.0.113.7"
    assert ip_of("203.0.113.7", "1.2.3.4") == "203.0.113.7"  # forged: ignored
    assert ip_of("127.0.0.1", "1.2.3.4, 10.0.0.1") == "127.0.0.1"


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(proxies):
    proxies("127.0.0.1")
    assert ip_of("127.0.0.1", "203.0.113.7") == "203.0.113.7"
    # nginx's $proxy_add_x_forwarded_for keeps what the client sent and appends what it saw.
    assert ip_of("127.0.0.1", "6.6.6.6, 203.0.113.7") == "203.0.113.7"
    # Only a request from the proxy is read from the header.
    assert ip_of("198.51.100.9", "203.0.113.7") == "198.51.100.9"
    # A request from the proxy itself, without a header (a health check).
    assert ip_of("127.0.0.1") == "127.0.0.1"


def test_a_chain_of_trusted_proxies_is_walked_right_to_left(proxies):
    proxies("10.0.0.0/24", "127.0.0.1")
    # client → load balancer 10.0.0.2 → nginx 10.0.0.5 → gunicorn (from 127.0.0.1)
    assert ip_of("127.0.0.1", "203.0.113.7, 10.0.0.2, 10.0.0.5") == "203.0.113.7"
    assert ip_of("127.0.0.1", "1.1.1.1, 203.0.113.7, 10.0.0.2") == "203.0.113.7"
    # Every hop is a proxy: the request started at the left-most one.
    assert ip_of("127.0.0.1", "10.0.0.9, 10.0.0.2") == "10.0.0.9"
    # Several X-Forwarded-For headers arrive joined by commas; blanks are skipped.
    assert ip_of("127.0.0.1", "203.0.113.7,, 10.0.0.2") == "203.0.113.7"


def test_garbage_in_the_chain_stops_at_the_last_trusted_report(proxies):
    proxies("10.0.0.0/24")
    assert ip_of("10.0.0.5", "unknown") == "10.0.0.5"
    assert ip_of("10.0.0.5", "203.0.113.7, <script>, 10.0.0.2") == "10.0.0.2"


def test_addresses_as_servers_write_them():
    assert str(parse_address("203.0.113.7:51234")) == "203.0.113.7"
    assert str(parse_address("[2001:db8::1]:443")) == "2001:db8::1"
    assert str(parse_address("2001:db8::1")) == "2001:db8::1"
    assert str(parse_address("::ffff:127.0.0.1")) == "127.0.0.1"
    assert parse_address("") is None and parse_address("unknown") is None
    nets = parse_networks(["::1", "10.0.0.0/8"])
    assert client_address("::1", "2001:db8::7", nets) == "2001:db8::7"
    assert client_address("::ffff:10.1.2.3", "203.0.113.7", nets) == "203.0.113.7"
    assert client_address("", "203.0.113.7", nets) is None


def test_a_bad_proxy_setting_is_refused_at_start_up(monkeypatch):
    from gongzhi import settings as project_settings

    monkeypatch.setenv("GONGZHI_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/24")
    assert project_settings.env_networks("GONGZHI_TRUSTED_PROXIES") == ["127.0.0.1", "10.0.0.0/24"]
    monkeypatch.setenv("GONGZHI_TRUSTED_PROXIES", "127.0.0.1, nginx")
    with pytest.raises(ImproperlyConfigured, match="'nginx' is not an IP address"):
        project_settings.env_networks("GONGZHI_TRUSTED_PROXIES")
