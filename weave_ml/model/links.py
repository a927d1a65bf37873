"""Links in a text as a browser reads them: each URL or bare host with its host, registrable domain, port and path.

A bare host counts as a link only when it ends in a real public suffix (the Public Suffix List, any TLD: ``.tax``,
``.mba``, ``.zone``, ``한국`` …), so "ok.ㅋㅋ", "v1.2" or "file.txt" are not links; after a scheme (``http://``,
``https:\\``, ``ftp:/``) any host is. The registrable domain is the part someone registered: the public suffix and
one label more (``www.cjlogistics.com`` → ``cjlogistics.com``, ``a.b.go.kr`` → ``b.go.kr``). Hosts come out as a
browser resolves them: lowercase ASCII, an internationalised name in punycode (``택배.한국`` →
``xn--2h3b319a.xn--3e0b707e``); an IP host, also the integer and hex forms a browser accepts after a scheme
(``http://0x7f.1``), as a dotted quad. In ``https://www.kbstar.com@evil.top/`` the host is ``evil.top``: what
stands before an ``@`` is user information, not where the link goes.

Give it normalised text (weave_ml.model.text.normalise): full-width letters and dots are then plain ones. Korean
text glues links to words ("예약cj-ex.top에서"): an ASCII host starts where the Latin letters start and ends where
they end. The PSL is the snapshot the ``publicsuffixlist`` package ships; nothing is fetched.

Every pattern runs on any text a sender chooses (tests/unit/test_linear_time.py): a host is bounded as DNS bounds
it (labels of at most 63 characters, at most ten of them), and a match starts only where a host can start, so
each place costs a bounded scan.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass

from publicsuffixlist import PublicSuffixList

_ASCII_LABEL = r"[a-z0-9][a-z0-9_\-]{0,62}"
_IDN_LABEL = r"[^\W\x00-\x7f_][^\W\x00-\x7f_\-]{0,62}"  # hyphens inside an IDN label are rare; "-" ends it
_LABEL = rf"(?:{_ASCII_LABEL}|{_IDN_LABEL})"
# The last label ends where its script ends: "top에서" is the TLD "top" and a particle.
_LAST_LABEL = rf"(?:{_ASCII_LABEL}(?![a-z0-9_\-])|{_IDN_LABEL}(?![^\W_]))"
# A host starts after something that is not part of a host, or where Latin letters follow Korean ones.
_HOST_START = r"(?:(?<![\w.\-])|(?<=[^\x00-\x7f])(?=[a-z0-9]))"
_PATH = r"[/?#\\][^\s<>\"'`]*+"
_LINK = re.compile(
    r"(?P<scheme>https?|ftp):[/\\]{1,3}(?P<authority>[^/?#\\\s<>\"'`]*+)(?P<spath>" + _PATH + r")?"
    rf"|{_HOST_START}(?P<host>(?:{_LABEL}\.){{1,9}}{_LAST_LABEL})(?::(?P<port>\d{{1,5}})(?!\d))?(?P<path>{_PATH})?",
    re.IGNORECASE,
)
# The host at the start of a URL's authority (after any user information): one label is enough there.
_AUTHORITY_HOST = re.compile(rf"(?:{_LABEL}\.){{0,9}}{_LAST_LABEL}", re.IGNORECASE)
_PORT = re.compile(r":(\d{1,5})(?!\d)")
# Dots a browser reads as dots in a host name (IDNA): the ideographic full stop and its half-width form.
_DOTS = str.maketrans({"\u3002": ".", "\uff61": ".", "\uff0e": "."})
# Punctuation that ends a sentence rather than a path.
_TRAILING = ".,;:!?)]}'\"…·~。、」』】〉》>"


@dataclass(frozen=True)
class Link:
    """One link of a text: where it is, where it goes."""

    start: int  # its span in the text (a bare host's span starts at the host)
    end: int
    host: str  # lowercase ASCII (punycode for an internationalised name), or the IP address
    domain: str  # the registrable domain (ASCII), or the IP address
    is_ip: bool
    path: str  # path, query and fragment as written, "" for none
    port: int | None = None
    scheme: str | None = None  # "http", "https" or "ftp"; None for a bare host
    userinfo: bool = False  # something@ stood before the host: an e-mail address or a URL's user-information trick

    @property
    def unicode_host(self) -> str:
        """The host as people read it (punycode labels decoded)."""
        return _decode(self.host)


@functools.cache
def public_suffixes() -> PublicSuffixList:
    """The Public Suffix List of the installed ``publicsuffixlist`` (loaded once a process; about 0.1 s)."""
    return PublicSuffixList(accept_unknown=False)


def find(text: str) -> list[Link]:
    """Return the links of ``text`` in order."""
    text = text.translate(_DOTS)
    links = []
    for match in _LINK.finditer(text):
        link = _scheme_link(match) if match.group("scheme") else _bare_link(text, match)
        if link is not None:
            links.append(link)
    return links


def registrable_domain(host: str) -> str | None:
    """Return the registrable domain of a host name (any form: Unicode or punycode, any case), or None when it has
    none (a public suffix itself, or a TLD the list does not know)."""
    ascii_host = _to_ascii(host.rstrip(".").lower())
    return None if ascii_host is None else public_suffixes().privatesuffix(ascii_host)


def _bare_link(text: str, match: re.Match[str]) -> Link | None:
    end = match.end("port") if match.group("port") else match.end("host")
    if text.startswith("@", end):  # user information or the local part of an e-mail address, not a host
        return None
    labels = match.group("host").lower().split(".")
    ip = _dotted_quad(labels)
    path = _path(match.group("path"))
    if ip is not None:
        host, domain = ip, ip
    else:
        found = _registrable(labels)
        if found is None:
            return None
        (host, domain), kept = found
        if kept < len(labels):  # the text went on after the host ("naver.com.확인"): no port or path of its own
            start = match.start("host")
            return Link(start, start + len(".".join(labels[:kept])), host, domain, False, "")
    start = match.start("host")
    port = int(match.group("port")) if match.group("port") else None
    userinfo = match.start("host") > 0 and text[match.start("host") - 1] == "@"
    return Link(start, end + len(path), host, domain, ip is not None, path, port, None, userinfo)


def _scheme_link(match: re.Match[str]) -> Link | None:
    authority = match.group("authority")
    userinfo = "@" in authority
    after_user = authority.rpartition("@")[2]
    port: int | None = None
    if after_user.startswith("["):  # an IPv6 literal
        literal, _, rest = after_user[1:].partition("]")
        try:
            host = str(ipaddress.IPv6Address(literal))
        except ValueError:
            return None
        domain, is_ip = host, True
    else:
        found = _AUTHORITY_HOST.match(after_user)
        if found is None:
            return None
        labels = found.group().lower().split(".")
        rest = after_user[found.end() :]
        ip = _whatwg_ipv4(labels)
        if ip is not None:
            host, domain, is_ip = ip, ip, True
        else:
            ascii_host = _to_ascii(".".join(labels))
            if ascii_host is None:
                return None
            # Any host after a scheme is a link; one under a suffix the list does not know is its own domain.
            host, is_ip = ascii_host, False
            domain = public_suffixes().privatesuffix(ascii_host, accept_unknown=True) or ascii_host
    port_match = _PORT.match(rest)
    if port_match:
        port = int(port_match.group(1))
    # The link ends with its host and port ("http://cj-ex.top에서", "(http://a.com)"), or with its path.
    end = match.end("authority") - len(rest) + (port_match.end() if port_match else 0)
    path = _path(match.group("spath"))
    if path:
        end = match.start("spath") + len(path)
    return Link(match.start(), end, host, domain, is_ip, path, port, match.group("scheme").lower(), userinfo)


def _registrable(labels: list[str]) -> tuple[tuple[str, str], int] | None:
    """The ASCII host and registrable domain of the longest run of leading labels that ends in a public suffix,
    with how many labels that is; None when no such run has a label above its suffix."""
    for kept in range(len(labels), 1, -1):
        ascii_host = _to_ascii(".".join(labels[:kept]))
        if ascii_host is None:
            continue
        domain = public_suffixes().privatesuffix(ascii_host)
        if domain is not None:
            return (ascii_host, domain), kept
    return None


def _path(raw: str | None) -> str:
    return (raw or "").rstrip(_TRAILING)


def _to_ascii(host: str) -> str | None:
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # a label too long, or characters no host name may hold
        return None


def _decode(host: str) -> str:
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host


def _dotted_quad(labels: list[str]) -> str | None:
    if len(labels) != 4 or not all(label.isdigit() and len(label) <= 3 for label in labels):
        return None
    try:
        return str(ipaddress.IPv4Address(".".join(str(int(label)) for label in labels)))
    except ValueError:
        return None


def _whatwg_ipv4(labels: list[str]) -> str | None:
    """The IPv4 address a browser reads in a host whose last label is a number (URL Standard's IPv4 parser):
    decimal, ``0x`` hex or ``0`` octal parts, the last part filling the remaining bytes (``127.1``, ``2130706433``)."""
    if not labels or len(labels) > 4:
        return None
    numbers = []
    for label in labels:
        try:
            if label.startswith("0x"):
                numbers.append(int(label[2:] or "0", 16))
            elif len(label) > 1 and label.startswith("0"):
                numbers.append(int(label, 8))
            else:
                numbers.append(int(label, 10) if label.isdigit() else -1)
        except ValueError:
            return None
        if numbers[-1] < 0:
            return None
    *head, last = numbers
    if any(part > 255 for part in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, part in enumerate(head):
        value += part << (8 * (3 - index))
    return str(ipaddress.IPv4Address(value))
