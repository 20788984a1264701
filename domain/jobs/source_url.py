"""Which media URLs a transcription may be asked to fetch (server-side request forgery).

The provider fetches ``source_url``; Atelier must not become a way into the network it runs
in. A URL is accepted when it is ``http``/``https``, at most 2048 characters, has a host and no
credentials, and every address its host resolves to is a public one (not private,
loopback, link-local, shared, multicast, reserved or unspecified; IPv4-mapped and 6to4/NAT64
forms of such addresses included). An allow-list (hosts, ``*.suffix`` patterns, CIDRs) lets
an operator accept an internal media server on purpose.

This module holds the rules only; resolving a host is a port of the application layer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from domain.jobs.transcription import MAX_SOURCE_URL_CHARS
from domain.shared.errors import FieldError, ValidationFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
FIELD = "source_url"
CODE = "forbidden_source_url"

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def forbidden(reason: str) -> ValidationFailed:
    return ValidationFailed(f"source_url: {reason}", code=CODE, errors=[FieldError(FIELD, reason)])


@dataclass(frozen=True, slots=True)
class SourceUrl:
    url: str
    host: str
    """Lower-case host name or address literal (no brackets)."""
    literal: IPAddress | None
    """The address when the host is written as one."""


def parse_source_url(url: str) -> SourceUrl:
    """Check the form of ``url``; ``ValidationFailed(code=forbidden_source_url)`` otherwise."""
    if len(url) > MAX_SOURCE_URL_CHARS:
        raise forbidden(f"at most {MAX_SOURCE_URL_CHARS} characters")
    if any(c.isspace() or ord(c) < 0x20 for c in url):
        raise forbidden("must not contain blanks or control characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise forbidden("not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise forbidden("only http and https URLs are accepted")
    if not host:
        raise forbidden("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise forbidden("credentials in the URL are not accepted")
    host = host.lower().rstrip(".")
    if not host:
        raise forbidden("the URL has no host")
    literal: IPAddress | None
    try:
        literal = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        literal = None
    return SourceUrl(url=url, host=host, literal=literal)


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.teredo is not None:
        return address.teredo[1]
    return None


def is_public_address(address: IPAddress) -> bool:
    """True for an address of the public internet (``is_global`` and not multicast), judged
    again on the IPv4 address an IPv6 one carries (mapped, 6to4, NAT64, Teredo)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_v4(address)
        if embedded is not None:
            return is_public_address(embedded)
    return bool(address.is_global) and not address.is_multicast


@dataclass(frozen=True, slots=True)
class AllowList:
    """Hosts accepted whatever they resolve to: exact names, ``*.suffix`` patterns, CIDRs."""

    hosts: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        hosts: set[str] = set()
        suffixes: list[str] = []
        networks: list[IPNetwork] = []
        for raw in entries:
            entry = raw.strip().lower().rstrip(".")
            if not entry:
                continue
            if entry.startswith("*."):
                suffixes.append(entry[1:])
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry)
        return cls(frozenset(hosts), tuple(suffixes), tuple(networks))

    def allows_host(self, host: str) -> bool:
        return host in self.hosts or any(host.endswith(s) for s in self.suffixes)

    def allows_address(self, address: IPAddress) -> bool:
        return any(address.version == n.version and address in n for n in self.networks)


def check_addresses(addresses: Iterable[IPAddress], allow: AllowList) -> None:
    """Every address must be public or allow-listed; an empty list is refused."""
    seen = False
    for address in addresses:
        seen = True
        if not (is_public_address(address) or allow.allows_address(address)):
            raise forbidden("the host resolves to a private, loopback or link-local address")
    if not seen:
        raise forbidden("the host does not resolve")
