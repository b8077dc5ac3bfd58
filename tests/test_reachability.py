"""Every page a role may open is linked from somewhere it can reach from its home.

For each demo login, every named URL pattern without required arguments (and every generic
detail page, through a sample record the role may read) is opened; those answering 200 with
HTML are the role's pages. Then the role's pages are crawled from its home through their
links, and any page of the role that no crawled page links to is named in the failure.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from daodi.core.views import DetailPage
from daodi.demo import build, history, load
from daodi.orgs.models import User

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ROLES = ["admin", "hub", "station01", "point01", "lab01", "regulator", "processor01"]
# Machine doors, not pages for people: the API, EPCIS, the admin site, the language switch,
# signing in and out, and the public resolver (reached by scanning a printed code).
SKIPPED_NAMESPACES = ("admin", "resolver")
SKIPPED_PREFIXES = ("/api/", "/epcis/", "/admin/", "/i18n/", "/login/", "/logout/")
MAX_PAGES = 400  # per role; one page per URL name is crawled, so this is far above need


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        load.load(build.build_county(company_prefix=settings.GS1_COMPANY_PREFIX))
        history.load_demo(events=600)
        yield
        transaction.set_rollback(True)


def _patterns(patterns=None, namespace=""):
    """(url name, pattern) of every named route, namespaces joined with ':'."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            inner = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from _patterns(p.url_patterns, inner)
        elif isinstance(p, URLPattern) and p.name:
            yield namespace + p.name, p


def _url(pattern: URLPattern, user) -> str | None:
    """A URL of the route to open as ``user``: the route itself when it takes no argument,
    a sample record's page for a generic detail page, else None (not enumerated)."""
    from django.urls import reverse

    name, route = pattern
    converters = getattr(route.pattern, "converters", {})
    if not converters:
        try:
            return reverse(name)
        except Exception:  # a regex route with groups: not a page of its own
            return None
    view = getattr(route.callback, "view_class", None)
    resource = getattr(route.callback, "view_initkwargs", {}).get("resource")
    if view and issubclass(view, DetailPage) and set(converters) == {"pk"} and resource:
        sample = resource.queryset(user).order_by("pk").first()
        return reverse(name, args=[sample.pk]) if sample is not None else None
    return None


def _name_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        # A link, a form's target, or a button that loads a page part with htmx (the
        # purchase form registers a household in place; its page answers when htmx is off).
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "form" and attrs.get("action"):
            self.hrefs.append(attrs["action"])
        if attrs.get("hx-get"):
            self.hrefs.append(attrs["hx-get"])


def _is_page(response) -> bool:
    """A whole page (an htmx fragment such as a picker's options is part of its form's)."""
    return (
        response.status_code == 200
        and response["Content-Type"].startswith("text/html")
        and b"<html" in response.content[:300]
    )


def _crawl(client) -> tuple[set[str], set[str]]:
    """Url names linked from the pages reached from the home page (one page per name is
    opened), and the names of the pages so opened."""
    linked, opened, queue = set(), set(), deque(["/"])
    while queue and len(opened) < MAX_PAGES:
        path = queue.popleft()
        name = _name_of(path)
        if name in opened:
            continue
        opened.add(name)
        response = client.get(path)
        if not _is_page(response):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(SKIPPED_PREFIXES):
                continue
            target = _name_of(parts.path)
            if target is None:
                continue
            linked.add(target)
            if target not in opened:
                queue.append(parts.path)
    return linked, opened


def _unlinked_pages(client, user, linked: set[str]) -> list[str]:
    """Pages the user may open (200, a whole HTML page) that nothing crawled links to."""
    found = []
    for entry in _patterns():
        name = entry[0]
        if name in linked or name.split(":")[0] in SKIPPED_NAMESPACES:
            continue
        url = _url(entry, user)
        if url is None or url.startswith(SKIPPED_PREFIXES):
            continue
        if _is_page(client.get(url)):
            found.append(f"{name} ({url})")
    return sorted(found)


@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_demo_role_may_open_is_linked_from_its_pages(demo, db, username, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    user = User.objects.get(username=username)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)

    linked, opened = _crawl(client)
    unlinked = _unlinked_pages(client, user, linked | {"home"})

    assert len(opened) > 10  # the role reaches a working platform, not a wall of 403s
    assert unlinked == [], f"{username} may open pages linked from nowhere: {unlinked}"
