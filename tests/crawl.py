"""Crawling the pages a signed-in user reaches, and finding raw codes in what they read.

The crawl follows same-site links with GET only, to a given depth, and fetches one page per
URL pattern (numbers and GS1 keys folded), so a list of 2,000 households costs one detail
page, not 2,000. ``raw_codes`` reads a page's visible text (not its attributes, URLs,
scripts or form inputs) and names every vocabulary code, GS1 URN, location URL and Python
repr a Chinese reader would meet there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.apps import apps

from daodi.catalog.units import STANDARD_UNITS
from daodi.trace.epcis import cbv, profile

# Links a crawl must not follow: they sign out, switch language, download or act.
SKIP = re.compile(
    r"^/(i18n|admin|api|epcis|static|media)/|/logout|/labels?/|/download|/export|"
    r"\.(pdf|xlsx|csv|json|png|svg|zip)$|[?&](format|download)="
)
INVISIBLE = {"script", "style", "textarea", "template", "noscript", "head"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Text(HTMLParser):
    """Visible text and the hrefs of links. Text marked ``translate="no"`` (usernames, codes
    people type as they are) is no word of the page's language and is left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in VOID:
            return
        # Inside a hidden element every element counts, so its end tag is matched.
        if self._hidden or tag in INVISIBLE or attrs.get("translate") == "no":
            self._hidden += 1

    def handle_endtag(self, tag):
        if self._hidden and tag not in VOID:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def read(html: str) -> tuple[str, list[str]]:
    """A page's visible text (pieces joined by newlines) and its link targets."""
    parser = _Text()
    parser.feed(html)
    return "\n".join(p.strip() for p in parser.parts if p.strip()), parser.links


def _choice_values() -> set[str]:
    """Every stored value of a choice field of ours that reads as a code (in_progress)."""
    values = set()
    for model in apps.get_models():
        if not model.__module__.startswith("daodi."):
            continue
        for f in model._meta.get_fields():
            for value, _label in getattr(f, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_]+", value):
                    values.add(value)
    return values


# Unit symbols a reader of Chinese knows as such.
SYMBOLS = {"kg", "g", "t", "ha", "mg", "ml"}


def vocabulary_words() -> set[str]:
    """Bare words that are codes: CBV steps and dispositions, the daodi steps, choice values,
    unit codes and the audit channels."""
    words = set(cbv.BIZ_STEPS | cbv.DISPOSITIONS | cbv.BIZ_TRANSACTION_TYPES | cbv.ERROR_REASONS)
    words |= _choice_values()
    words |= {code for code, *_ in STANDARD_UNITS} | {u[4] for u in STANDARD_UNITS if u[4]}
    words |= set(cbv.EVENT_TYPES) | {"ADD", "OBSERVE", "DELETE"}
    words |= {uri.rsplit("BizStep-", 1)[-1] for uri in profile.BIZ_STEPS}
    words |= {"web", "api", "cli", "system"}
    return words - SYMBOLS


PATTERNS = [
    re.compile(r"urn:epcglobal:\S+"),
    re.compile(r"urn:epc:\S+"),
    re.compile(r"https?://ref\.gs1\.org/\S+"),
    re.compile(r"\S*/(414|417|254)/\d{13}\S*"),  # a location or party as its Digital Link
    re.compile(r"\bdaodi:[A-Za-z_-]+\b"),
    re.compile(re.escape(profile.NAMESPACE) + r"\S*"),
    re.compile(r"\{'[^']*':"),  # a Python dict repr
    re.compile(r"\b(None|True|False)\b"),
    re.compile(r"\b[a-z]+\.(create|update|delete|[a-z]+_[a-z_]+)\b"),  # an audit action
]


def raw_codes(text: str, words: set[str]) -> list[str]:
    """The raw codes in ``text``, each once (URNs, URLs and reprs first, then words)."""
    found: list[str] = []
    for pattern in PATTERNS:
        found += [m.group(0) for m in pattern.finditer(text)]
    found += [
        w for w in re.findall(r"(?<![\w./:-])[A-Za-z][A-Za-z0-9_]*(?![\w/:-])", text) if w in words
    ]
    return list(dict.fromkeys(found))


def pattern_of(url: str) -> str:
    """A URL's path with its numbers and identifiers folded. The query is left out: a
    filtered or later page of a list is the same template as its first page."""
    return re.sub(r"/\d[\w.%-]*", "/#", urlsplit(url).path)


@dataclass
class Page:
    url: str
    status: int
    text: str
    codes: list[str] = field(default_factory=list)


def crawl(client, start: str = "/", depth: int = 2, cap: int = 80) -> Iterator[Page]:
    """The HTML pages reachable from ``start`` within ``depth`` clicks, one per pattern."""
    seen = {pattern_of(start)}
    frontier = [start]
    fetched = 0
    for level in range(depth + 1):
        following: list[str] = []
        for url in frontier:
            if fetched >= cap:
                return
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            fetched += 1
            if "text/html" not in response.get("Content-Type", ""):
                continue
            text, links = read(response.content.decode())
            yield Page(url, response.status_code, text)
            if level < depth:
                following += [u for u in _same_site(links, url) if _new(u, seen)]
        frontier = following


def _new(url: str, seen: set[str]) -> bool:
    key = pattern_of(url)
    if key in seen:
        return False
    seen.add(key)
    return True


def _same_site(links: Iterable[str], base: str) -> Iterator[str]:
    for href in links:
        href = urldefrag(href)[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href:
            continue
        if not href.startswith("/"):
            if href.startswith("?"):
                href = urlsplit(base).path + href
            else:
                continue
        if not SKIP.search(href):
            yield href
