"""The client's address: the TCP peer, or what trusted proxies say it was.

Forwarding headers (``Forwarded``, else ``X-Forwarded-For``) are believed only when the peer
is one of ``settings.trusted_proxies`` (addresses or CIDRs). The chain is walked from the
right (the hop nearest to us), skipping trusted proxies; the first untrusted address is the
client. A malformed entry ends the walk at the last address we could trust.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

STATE_KEY = "client_ip"
MAX_HOPS = 32


def parse_networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """``"10.0.0.0/8"``, ``"127.0.0.1"``, ``"::1"`` -> networks; a bad entry is a ValueError
    naming the setting."""
    networks: list[IPNetwork] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(
                f"ATELIER_TRUSTED_PROXIES: {entry!r} is not an address or CIDR"
            ) from exc
    return tuple(networks)


def _address(value: str) -> IPAddress | None:
    value = value.strip().strip('"')
    if value.startswith("["):  # [v6]:port
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _forwarded_for(header: str) -> list[str]:
    """The ``for=`` values of an RFC 7239 ``Forwarded`` header, left to right."""
    hops: list[str] = []
    for element in header.split(","):
        for pair in element.split(";"):
            name, _, value = pair.strip().partition("=")
            if name.strip().lower() == "for":
                hops.append(value)
    return hops


def _trusted(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    return any(address in network for network in networks)


def resolve_client_ip(
    peer: str | None, headers: Iterable[tuple[bytes, bytes]], networks: Sequence[IPNetwork]
) -> str | None:
    """The client address for a request from ``peer`` with raw ASGI ``headers``."""
    peer_address = _address(peer) if peer else None
    if peer_address is None or not networks or not _trusted(peer_address, networks):
        return peer
    forwarded: list[str] = []
    x_forwarded: list[str] = []
    for name, raw in headers:
        if name == b"forwarded":
            forwarded.extend(_forwarded_for(raw.decode("latin-1")))
        elif name == b"x-forwarded-for":
            x_forwarded.extend(raw.decode("latin-1").split(","))
    chain = forwarded or x_forwarded
    client = peer_address
    for hop in reversed(chain[-MAX_HOPS:]):
        address = _address(hop)
        if address is None:
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


def client_ip_of(scope: Any, networks: Sequence[IPNetwork]) -> str | None:
    """Resolve once per request and remember it in ``scope["state"]``."""
    state = scope.setdefault("state", {})
    if STATE_KEY not in state:
        client = scope.get("client")
        peer = client[0] if client else None
        state[STATE_KEY] = resolve_client_ip(peer, scope.get("headers", ()), networks)
    value: str | None = state[STATE_KEY]
    return value
