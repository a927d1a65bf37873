"""What a message holds that has a reputation: its links' registrable domains, the numbers and messenger ids it asks
the reader to call or message, and its sender's number.

A domain is kept in clear (domains are public); a number or messenger id only as a keyed hash of its national form
(``keys.current().digest("number", …)``), so ``010-1234-5678`` and ``+82 10 1234 5678`` are one entry and none can
be read back. Some subjects are *protected*: evidence from texts never marks them, only an operator's verdict on the
subject itself does, because a text holding them says nothing about who wrote it:

- a link to an official domain (weave_ml.model.official): lures link the real site beside their own to look genuine;
- a link to a host where anyone publishes (a blog or open chat on an organisation's domain, a link shortener, a
  messenger's or a site builder's host): one page there is no verdict on every other;
- an organisation's number (15xx–18xx representative numbers, short codes): lures quote the real one.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from weave_ml import keys
from weave_ml.model import links, numbers
from weave_ml.model.links import Link
from weave_ml.model.official import official
from weave_ml.model.patterns import SHORTENERS  # the model's own list of link shorteners
from weave_ml.model.text import normalise

LINK = "link"
CALLBACK = "callback"
SENDER = "sender"
# Domains where anyone makes a page or an account, beyond the shorteners and the organisations' user-content hosts
# of the official list: a report on one page there is no verdict on the others.
SHARED_DOMAINS = frozenset(
    {*SHORTENERS, "t.me", "telegram.me", "linktr.ee", "forms.gle", "page.link", "tistory.com", "notion.site"}
)
# A message's links and contacts read at most: the Redis work of one message stays bounded whatever it holds.
MAX_PER_KIND = 10
# A text is read up to this many characters: an LMS holds 2,000 bytes, and reading costs in proportion to the text
# (it runs in a request's thread; the API takes texts of up to 10,000 characters).
READ_CHARS = 2000
_ROLES = {"l": LINK, "c": CALLBACK, "s": SENDER}
_CODES = {role: code for code, role in _ROLES.items()}


@dataclass(frozen=True)
class Subject:
    """One thing of a message that has a reputation."""

    role: str  # LINK, CALLBACK or SENDER
    id: str  # "d:<registrable domain>" or "n:<keyed hash of a number or messenger id>"
    official: bool = False  # a link to an official domain of some organisation
    protected: bool = False  # evidence from texts never marks it (see the module's docstring)

    @property
    def domain(self) -> str:
        """A link's registrable domain (ASCII, punycode for an internationalised one), else ''."""
        return self.id[2:] if self.id.startswith("d:") else ""


@dataclass(frozen=True)
class Verified:
    """The operators' verified senders: entry id (a number's or a domain's) → the organisation it belongs to."""

    organisations: Mapping[str, str] = field(default_factory=dict)

    def of(self, subject: Subject | None) -> str | None:
        """The organisation a subject is verified for, or None."""
        return None if subject is None else self.organisations.get(subject.id)


@dataclass(frozen=True)
class Subjects:
    """Everything of one message that has a reputation: links (one per domain) and call-backs in the order written."""

    links: tuple[Subject, ...] = ()
    callbacks: tuple[Subject, ...] = ()
    sender: Subject | None = None

    def all(self) -> tuple[Subject, ...]:
        """Every subject: links, call-backs, then the sender."""
        return (*self.links, *self.callbacks, *((self.sender,) if self.sender else ()))

    def in_text(self) -> tuple[Subject, ...]:
        """What the text itself holds, counted at every sighting: links and call-backs (the sender's number is
        judged by operators' verdicts alone, see weave_ml.reputation.policy)."""
        return (*self.links, *self.callbacks)

    def with_sender(self, sender: str | None) -> Subjects:
        """The same text's subjects from another sender."""
        return replace(self, sender=sender_subject(sender))

    def protected_by(self, verified: Verified) -> Subjects:
        """The same subjects, those ``verified`` for an organisation protected: evidence from texts never marks them."""

        def guard(subject: Subject) -> Subject:
            return replace(subject, protected=True) if verified.of(subject) is not None else subject

        return Subjects(
            tuple(map(guard, self.links)), tuple(map(guard, self.callbacks)), self.sender and guard(self.sender)
        )

    def encode(self) -> str:
        """A compact form without spaces (``l|d:evil.top|;c|n:…|p``) that :func:`decode` reads back."""
        return ";".join(
            f"{_CODES[s.role]}|{s.id}|{'o' if s.official else ''}{'p' if s.protected else ''}" for s in self.all()
        )


def decode(encoded: str) -> Subjects:
    """Read back what :meth:`Subjects.encode` wrote ('' is no subject)."""
    found: dict[str, list[Subject]] = {LINK: [], CALLBACK: [], SENDER: []}
    for part in filter(None, encoded.split(";")):
        code, subject_id, flags = part.split("|")
        role = _ROLES[code]
        found[role].append(Subject(role, subject_id, "o" in flags, "p" in flags))
    return Subjects(tuple(found[LINK]), tuple(found[CALLBACK]), found[SENDER][0] if found[SENDER] else None)


def number_id(key: str) -> str:
    """The entry id of a number (national digits) or messenger id (``<app>:<id>``): a keyed hash, never the number."""
    return "n:" + keys.current().digest("number", key, size=12)


def domain_id(domain: str) -> str:
    """The entry id of a registrable domain."""
    return f"d:{domain}"


def read(text: str) -> tuple[str, list[Link]]:
    """A text as reputation (and the campaign signature, from the same work) reads it: normalised, up to READ_CHARS
    characters, and its links."""
    normalised = normalise(text[:READ_CHARS])
    return normalised, links.find(normalised)


def of_message(text: str, sender: str | None) -> Subjects:
    """The subjects of a message."""
    return of_text(*read(text)).with_sender(sender)


def of_text(normalised: str, found: Sequence[Link]) -> Subjects:
    """The subjects of a normalised text whose links are ``found`` (its sender left out)."""
    link_subjects: dict[str, Subject] = {}
    for link in found:
        if len(link_subjects) == MAX_PER_KIND:
            break
        if link.domain not in link_subjects:
            is_official, protected = _judged_link(link.host, link.domain, link.is_ip)
            link_subjects[link.domain] = Subject(LINK, domain_id(link.domain), is_official, protected)
    callbacks = tuple(
        Subject(CALLBACK, number_id(contact.key), protected=contact.kind in numbers.ORGANISATIONS)
        for contact in numbers.contacts(normalised)[:MAX_PER_KIND]
    )
    return Subjects(tuple(link_subjects.values()), callbacks)


@functools.lru_cache(maxsize=4096)
def sender_subject(sender: str | None) -> Subject | None:
    """The subject of a sender's number, or None when it holds no number."""
    contact = numbers.sender_number(sender)
    if contact is None:
        return None
    return Subject(SENDER, number_id(contact.key), protected=contact.kind in numbers.ORGANISATIONS)


def number_subject(number: str) -> Subject | None:
    """The subject of a number or messenger id as an operator writes it (``010-1234-5678``, ``kakao:abc123``)."""
    text = number.strip().lower()
    if ":" in text and not text.startswith("+"):
        return Subject(CALLBACK, number_id(text))
    contact = numbers.sender_number(text)
    if contact is None:
        return None
    return Subject(CALLBACK, number_id(contact.key), protected=contact.kind in numbers.ORGANISATIONS)


def domain_subject(domain: str) -> Subject:
    """The subject of a registrable domain (ASCII) as a link to it would have it."""
    is_official, protected = _judged_link(domain, domain, False)
    return Subject(LINK, domain_id(domain), is_official, protected)


@functools.lru_cache(maxsize=16384)
def _judged_link(host: str, domain: str, is_ip: bool) -> tuple[bool, bool]:
    """Whether a link is official, and whether it is protected (official, or where anyone publishes)."""
    if is_ip:
        return False, False
    link = Link(0, 0, host, domain, False, "")
    is_official = official().is_official(link)
    shared = domain in SHARED_DOMAINS or bool(official().brands_of_domain(domain))
    return is_official, is_official or shared
