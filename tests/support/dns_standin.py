"""A small authoritative DNS server on 127.0.0.1 (random UDP port) for the record checks of `sesame doctor`.

Records live in a dnspython `Zone` rooted at `.` so any name can be served; answers are built with
`dns.message.make_response` and carry the AA flag. Unknown names answer NXDOMAIN, known names without the
asked type answer NOERROR/empty (NoAnswer), a CNAME is returned for other types at its name (no chasing).
Tests change records at any time with `set` / `remove` / `clear`.
"""

from __future__ import annotations

import socket
import threading

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

IN = dns.rdataclass.IN


def txt(*strings: str) -> str:
    """A TXT rdata text from raw strings (quoted, escaped)."""
    return " ".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in strings)


class DnsStandin:
    def __init__(self, ttl: int = 60) -> None:
        self.ttl = ttl
        self.zone = dns.zone.Zone(dns.name.root, relativize=False)
        self.queries: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.port = 0

    @property
    def nameserver(self) -> str:
        """The `IP:port` string for the resolver setting."""
        return f"127.0.0.1:{self.port}"

    # --- records ------------------------------------------------------------------------------------------------
    def set(self, name: str, rdtype: str, *values: str) -> None:
        """Replace the records of `name`/`rdtype` (TXT values are raw strings; they are quoted here)."""
        rtype = dns.rdatatype.from_text(rdtype)
        qname = dns.name.from_text(name)
        with self._lock:
            node = self.zone.find_node(qname, create=True)
            node.delete_rdataset(IN, rtype)
            rds = node.find_rdataset(IN, rtype, create=True)
            for v in values:
                text = txt(v) if rtype == dns.rdatatype.TXT else v
                rds.add(dns.rdata.from_text(IN, rtype, text), self.ttl)

    def remove(self, name: str, rdtype: str | None = None) -> None:
        qname = dns.name.from_text(name)
        with self._lock:
            if rdtype is None:
                self.zone.delete_node(qname)
                return
            node = self.zone.get_node(qname)
            if node is not None:
                node.delete_rdataset(IN, dns.rdatatype.from_text(rdtype))
                if not node.rdatasets:
                    self.zone.delete_node(qname)

    def clear(self) -> None:
        with self._lock:
            self.zone = dns.zone.Zone(dns.name.root, relativize=False)

    # --- server -------------------------------------------------------------------------------------------------
    def start(self) -> str:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="dns-standin", daemon=True)
        self._thread.start()
        return self.nameserver

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._sock is not None:
            self._sock.close()

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                wire, addr = self._sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                reply = self._answer(wire)
            except Exception:  # noqa: BLE001 - a garbage packet gets no answer, like a real server
                continue
            self._sock.sendto(reply, addr)

    def _answer(self, wire: bytes) -> bytes:
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        with self._lock:
            for q in query.question:
                self.queries.append((q.name.to_text(), dns.rdatatype.to_text(q.rdtype)))
                node = self.zone.get_node(q.name)
                if node is None:
                    # An empty non-terminal (a parent of existing names) exists; anything else is NXDOMAIN.
                    if not any(n.is_subdomain(q.name) for n in self.zone.nodes):
                        response.set_rcode(dns.rcode.NXDOMAIN)
                    continue
                rds = node.get_rdataset(IN, q.rdtype)
                if rds is None and q.rdtype != dns.rdatatype.CNAME:
                    rds = node.get_rdataset(IN, dns.rdatatype.CNAME)
                if rds is not None:
                    rrset = dns.rrset.RRset(q.name, IN, rds.rdtype)
                    rrset.update(rds)
                    rrset.ttl = rds.ttl
                    response.answer.append(rrset)
        return response.to_wire()
