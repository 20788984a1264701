"""``source_url`` is checked before any job exists (see ``domain/jobs/source_url.py``)."""

from __future__ import annotations

import ipaddress

from application.jobs.ports import HostResolver
from domain.jobs.source_url import (
    AllowList,
    IPAddress,
    SourceUrl,
    check_addresses,
    parse_source_url,
)


async def check_source_url(url: str, resolver: HostResolver, allow: AllowList) -> SourceUrl:
    """The parsed URL, or ``ValidationFailed(code=forbidden_source_url)``. Nothing but a name
    lookup leaves the machine: the URL itself is never requested here."""
    source = parse_source_url(url)
    if allow.allows_host(source.host):
        return source
    if source.literal is not None:
        check_addresses([source.literal], allow)
        return source
    addresses: list[IPAddress] = []
    for text in await resolver.resolve(source.host):
        try:
            addresses.append(ipaddress.ip_address(text.split("%", 1)[0]))
        except ValueError:
            continue
    check_addresses(addresses, allow)
    return source
