"""No page of the demo county sends a phone more than it can use.

Each role's pages within two clicks of its home are crawled on the demo county (2,000
grower households, its buying network, labs and a season of events): none may send a
``<select>`` of more than 200 options (an organisation or lot is chosen through a picker)
or more than 300 KB of HTML (long lists page, long sections fold).
"""

from __future__ import annotations

import io
import os
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from daodi.orgs.models import User

MAX_OPTIONS = 200
MAX_HTML = 300 * 1024
ROLES = ("admin", "hub", "station01", "point01", "lab01", "regulator", "processor01")
PAGES_PER_ROLE = int(os.environ.get("PAGE_WEIGHT_PAGES", "150"))
# Files, the API and the admin are not pages a person reads on a phone; logout ends the crawl.
SKIP = ("/admin/", "/api/", "/epcis/", "/logout", "/i18n/", "/static/", "/media/")
SKIP_ENDINGS = (".pdf", ".xlsx", ".csv", ".json", ".png", ".zip", ".docx")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Page(HTMLParser):
    """The links of a page and the option count of each of its ``<select>``s."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.selects: list[tuple[str, int]] = []
        self._select: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "select":
            self._select = [attrs.get("name") or attrs.get("id") or "?", 0]
        elif tag == "option" and self._select is not None:
            self._select[1] += 1

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            self.selects.append(tuple(self._select))
            self._select = None


def crawlable(href: str) -> str | None:
    href = urldefrag(href)[0]
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIP) or parts.path.endswith(SKIP_ENDINGS):
        return None
    return href


def create_forms() -> list[str]:
    """Every create form without an argument in its address, linked or not."""
    forms = []
    for route, name in _routes(get_resolver().url_patterns, ""):
        if name.endswith("_create") and "<" not in route and not ("/" + route).startswith(SKIP):
            forms.append("/" + route)
    return forms


def _routes(patterns, prefix):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + str(p.pattern), p.name


def crawl(client: Client, depth: int = 2) -> dict[str, tuple[int, Page]]:
    """Pages reachable from the home page in ``depth`` clicks, and the create forms the
    user may open: address → (bytes, parsed)."""
    seen: dict[str, tuple[int, Page]] = {}
    frontier = ["/", *create_forms()]
    for _ in range(depth + 1):
        following = []
        for url in frontier:
            if url in seen or len(seen) >= PAGES_PER_ROLE:
                continue
            response = client.get(url)
            if response.status_code in (403, 404):
                continue  # a form this role may not open
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            page = Page()
            page.feed(response.content.decode())
            seen[url] = (len(response.content), page)
            following += [u for u in map(crawlable, page.links) if u and u not in seen]
        frontier = list(dict.fromkeys(following))
    return seen


@pytest.fixture(scope="module")
def demo_county(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        call_command("demo", "--season-events", "3000", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("username", ROLES)
def test_no_page_of_a_role_sends_a_long_select_or_more_than_300_kb(demo_county, db, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    pages = crawl(client)
    assert len(pages) > 5, f"{username} reaches only {sorted(pages)}"
    heavy = {url: size for url, (size, _) in pages.items() if size > MAX_HTML}
    long_selects = {
        url: [(name, n) for name, n in page.selects if n > MAX_OPTIONS]
        for url, (_, page) in pages.items()
    }
    assert heavy == {}
    assert {url: s for url, s in long_selects.items() if s} == {}
