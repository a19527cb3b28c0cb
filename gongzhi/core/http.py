"""The address a request comes from: one answer for the audit trail, login throttling, the rate
limits, Open311 and the API.

Without a trusted proxy (settings.GONGZHI["TRUSTED_PROXIES"] empty, the default) the client is
`REMOTE_ADDR` and `X-Forwarded-For` is ignored: anyone can write that header. Behind nginx
(docs/operations.md) the proxies' addresses or networks are listed in `GONGZHI_TRUSTED_PROXIES`;
a request that comes from one of them is read from its `X-Forwarded-For`, right to left: each
trusted proxy appends the address it received the request from, so the right-most address that
is not itself a trusted proxy is the client. What a client writes into the header stands to the
left of that and is never believed.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from django.http import HttpRequest

from .conf import product_setting

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses ("10.0.0.5") and networks ("10.0.0.0/24", "::1") as networks; ValueError names
    an entry that is neither."""
    out: list[Network] = []
    for entry in entries:
        text = str(entry).strip()
        if not text:
            continue
        try:
            out.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ValueError(f"not an IP address or network: {text!r}") from exc
    return tuple(out)


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def trusted_proxies() -> tuple[Network, ...]:
    """The networks of settings.GONGZHI["TRUSTED_PROXIES"] (read at call time, parsed once)."""
    value = product_setting("TRUSTED_PROXIES", ()) or ()
    if isinstance(value, str):
        value = value.split(",")
    return _networks(tuple(value))


def parse_address(value: str | None) -> Address | None:
    """An address as a proxy or a server writes it: "1.2.3.4", "1.2.3.4:5678", "::1",
    "[::1]:443"; IPv4 mapped into IPv6 ("::ffff:1.2.3.4") is the IPv4 address. None if not one."""
    text = (value or "").strip()
    if not text:
        return None
    if text.startswith("["):  # [v6] or [v6]:port
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # v4:port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(
    remote_addr: str | None, forwarded_for: str | None, proxies: tuple[Network, ...]
) -> str | None:
    """The client's address from the connection's address and the X-Forwarded-For chain."""
    remote = parse_address(remote_addr)
    if remote is None:
        return None
    if not proxies or not _is_trusted(remote, proxies):
        return str(remote)
    nearest = remote  # the nearest address known to be reported truthfully
    hops = [hop for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            # Not an address: not written by a proxy we trust. Stop at the last one that was.
            return str(nearest)
        if not _is_trusted(address, proxies):
            return str(address)
        nearest = address
    return str(nearest)  # every hop is a trusted proxy: the request started at one


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent `request` (see the module's docstring), or None when
    the server gives none."""
    return client_address(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        trusted_proxies(),
    )
