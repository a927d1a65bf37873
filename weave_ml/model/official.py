"""Official domains: which organisations a text names, and whether its links go where those organisations send from.

The list is ``weave_ml/data/official_domains.json`` (how it was compiled, and that operators should review it, is
written at its top): banks, card companies, couriers, government and public bodies, crypto exchanges, securities
firms, telecoms and big platforms, each with the names Korean texts call it by ("CJ대한통운", "대한통운"), its
registrable domains and its kind. Every domain under a government suffix (``go.kr``) is official for every
government entry. A host where anyone can publish (``blog.naver.com``, ``open.kakao.com``) is official for nobody,
whatever its domain: a link there says nothing about who wrote the text.

A text is *vouched for* when it has links and every one of them is official for an organisation the text names:
a real courier's notice linking to the courier's own site. Campaigns never raise such a text
(weave_ml.campaigns.policy).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

from weave_ml.model.links import Link, find, public_suffixes
from weave_ml.model.text import normalise

GOVERNMENT = "government"


@dataclass(frozen=True)
class Brand:
    """One organisation of the list."""

    id: str
    kind: str
    names: tuple[str, ...]  # normalised, as texts write them
    domains: frozenset[str]
    user_content: frozenset[str]  # hosts under its domains where anyone can publish
    source: str


class OfficialDomains:
    """The organisations of a list and lookups over them."""

    def __init__(self, brands: Sequence[Brand], government_suffixes: Iterable[str]) -> None:
        self.brands = {brand.id: brand for brand in brands}
        self.government_suffixes = frozenset(government_suffixes)
        self._by_domain: dict[str, set[str]] = {}
        for brand in brands:
            for domain in brand.domains:
                self._by_domain.setdefault(domain, set()).add(brand.id)
        self._government = frozenset(brand.id for brand in brands if brand.kind == GOVERNMENT)
        self._user_content = frozenset(host for brand in brands for host in brand.user_content)
        # Longest first, so that of two names at one place ("KB국민카드", "KB국민") both are found anyway.
        self._names = sorted({(name, brand.id) for brand in brands for name in brand.names}, key=lambda n: -len(n[0]))

    def named(self, text: str, *, normalised: bool = False) -> frozenset[str]:
        """Return the ids of the organisations a text names (any form: it is normalised here, unless ``normalised``
        says the caller has done it)."""
        text = text if normalised else normalise(text)
        found = set()
        for name, brand_id in self._names:
            if brand_id not in found and _mentions(text, name):
                found.add(brand_id)
        return frozenset(found)

    def brands_of_domain(self, domain: str) -> frozenset[str]:
        """Return the ids of the organisations a registrable domain (ASCII) is official for."""
        found = set(self._by_domain.get(domain, ()))
        if public_suffixes().publicsuffix(domain) in self.government_suffixes:
            found |= self._government
        return frozenset(found)

    def brands_of(self, link: Link) -> frozenset[str]:
        """Return the ids of the organisations a link is official for: its domain's, unless it is an IP or a host
        where anyone can publish."""
        if link.is_ip or _within(link.host, self._user_content):
            return frozenset()
        return self.brands_of_domain(link.domain)

    def is_official(self, link: Link) -> bool:
        """Whether a link is official for some organisation."""
        return bool(self.brands_of(link))

    def vouched(self, text: str, links: Sequence[Link] | None = None) -> bool:
        """Whether a text has links and each is official for an organisation the text names (``links``: those of
        the text, which is then normalised already, when the caller has found them)."""
        if links is None:
            text = normalise(text)
            links = find(text)
        if not links:
            return False
        owners = [self.brands_of(link) for link in links]
        # Most texts fail on their links (a lure's are not official): the names, dearer to find, are read only then.
        if not all(owners):
            return False
        named = self.named(text, normalised=True)
        return all(owner & named for owner in owners)


def _mentions(text: str, name: str) -> bool:
    """Whether ``name`` occurs in ``text`` as a name: a Latin name not inside a longer Latin word ("kt" is not in
    "kt2x" or "dkt"); a Korean name anywhere, since particles and brackets stick to it ("대한통운에서")."""
    start = text.find(name)
    while start >= 0:
        end = start + len(name)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not ((name[0].isascii() and _latin(before)) or (name[-1].isascii() and _latin(after))):
            return True
        start = text.find(name, start + 1)
    return False


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _within(host: str, hosts: frozenset[str]) -> bool:
    """Whether ``host`` is one of ``hosts`` or under one of them."""
    labels = host.split(".")
    return any(".".join(labels[i:]) in hosts for i in range(len(labels) - 1))


@functools.cache
def official() -> OfficialDomains:
    """The bundled list (weave_ml/data/official_domains.json), loaded once a process."""
    raw = json.loads(resources.files("weave_ml").joinpath("data", "official_domains.json").read_text("utf-8"))
    brands = [
        Brand(
            id=entry["id"],
            kind=entry["kind"],
            names=tuple(normalise(name) for name in entry["names"]),
            domains=frozenset(entry["domains"]),
            user_content=frozenset(entry.get("user_content", ())),
            source=entry["source"],
        )
        for entry in raw["brands"]
    ]
    return OfficialDomains(brands, raw["government_suffixes"])
