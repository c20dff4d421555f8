"""Resolver addresses given in settings ("10.0.0.2", "127.0.0.1:5353", "[::1]:5353") as dnspython nameservers."""

from __future__ import annotations

import dns.nameserver


def parse_nameserver(item: str) -> dns.nameserver.Do53Nameserver:
    """One configured resolver address, with an optional port, as a dnspython nameserver."""
    host, port = item, 53
    if item.count(":") == 1:  # IPv4:port (a bare IPv6 address has several colons)
        host, p = item.split(":")
        port = int(p)
    elif item.startswith("[") and "]:" in item:  # [IPv6]:port
        host, p = item[1:].split("]:")
        port = int(p)
    return dns.nameserver.Do53Nameserver(host, port)
