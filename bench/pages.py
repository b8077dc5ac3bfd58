"""The heaviest pages of each role in a real browser at 390 px: ``python -m bench.pages``.

The demo county (``daodi demo --scale N`` with its season) is loaded into a fresh database
(SQLite under ``--dir`` or PostgreSQL ``--pg-db``, dropped and re-created), served by
gunicorn as docs/deployment.md runs it (DEBUG off, static files collected), and Debian's
Chromium, driven by Playwright like the browser tests, signs in as each demo role on a
390 × 844 phone. Every page linked from the role's home page (its navigation and to-do
links), the first record of each of those lists, and each role's forms are opened
``--runs`` times; a page's figure is the median
time from the start of navigation to the end of its load event (``PerformanceNavigation
Timing.loadEventEnd``), the page's own scripts and styles included, the browser cache warm
after the first run as on a phone in daily use. The ``--top`` slowest pages of each role are
printed against the 1 s target, with the HTML size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from bench.server import Server

ROOT = Path(__file__).resolve().parent.parent
PORT = 8766
TARGET_MS = 1000.0
PASSWORD = "daodi-demo-2026"
ROLES = ("admin", "hub", "station01", "point01", "lab01", "regulator", "processor01")
# Forms a role fills in daily, timed whether or not the home page links them.
FORMS = {
    "point01": ["/sourcing/purchases/new/", "/sourcing/dispatches/new/", "/sourcing/losses/new/"],
    "station01": ["/sourcing/dispatches/new/", "/sourcing/comminglings/new/"],
    "hub": ["/sourcing/dispatches/new/", "/sourcing/pallets/new/", "/farm/processing/new/"],
    "processor01": ["/farm/processing/new/", "/quality/samples/new/"],
    "lab01": ["/quality/samples/new/"],
    "admin": [
        "/organisations/new/",
        "/users/new/",
        "/sites/new/",
        "/farm/plots/new/",
        "/farm/records/new/",
        "/farm/harvests/new/",
        "/trace/recalls/new/",
        "/catalogue/indications/new/",
    ],  # fmt: skip
    "regulator": [],
}
SKIP = ("/admin/", "/api/", "/epcis/", "/logout", "/i18n/", "/static/", "/media/", "/login")
SKIP_ENDINGS = (".pdf", ".xlsx", ".csv", ".json", ".png", ".zip", ".docx")
LOAD_MS = """() => { const n = performance.getEntriesByType('navigation')[0];
  return [n.loadEventEnd - n.startTime, n.transferSize, n.decodedBodySize]; }"""


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                return
            if parts.path.startswith(SKIP) or parts.path.endswith(SKIP_ENDINGS):
                return
            if "export=" in parts.query:  # a list's Excel export: a file, not a page
                return
            self.links.append(href)


def prepare(env: dict, args) -> None:
    """Migrate, load the demo county and collect the static files, each in a child."""
    daodi = [str(Path(sys.executable).parent / "daodi")]
    subprocess.run([*daodi, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    demo = [*daodi, "demo", "--scale", str(args.scale)]
    subprocess.run(demo, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*daodi, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def time_pages(base: str, args) -> list[tuple[str, str, float, int]]:
    """(role, path, median ms to the load event, HTML bytes) of every page timed."""
    from playwright.sync_api import Error, sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        for role in ROLES:
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                device_scale_factor=2, locale="zh-CN", base_url=base,
            )  # fmt: skip
            page = context.new_page()
            page.goto("/login/")
            page.fill("#id_username", role)
            page.fill("#id_password", PASSWORD)
            page.get_by_test_id("sign-in").click()
            page.wait_for_url("**/")
            links = Links()
            links.feed(page.content())
            paths = list(dict.fromkeys(["/", *links.links, *FORMS.get(role, [])]))
            for path in paths:  # grows: the first record of each list is timed too
                times, size = [], 0
                for _ in range(args.runs):
                    try:
                        response = page.goto(path, wait_until="load")
                    except Error as exc:  # a link that downloads a file (a settlement sheet)
                        if "Download is starting" not in str(exc):
                            raise
                        break
                    if response is None or response.status != 200:
                        break
                    ms, _transfer, size = page.evaluate(LOAD_MS)
                    times.append(ms)
                if times:
                    rows.append((role, path, statistics.median(times), size))
                    record = page.locator("#results table a").first
                    href = record.get_attribute("href") if record.count() else None
                    if href and href not in paths:
                        paths.append(href)
            context.close()
        browser.close()
    return rows


def report(rows, top: int) -> bool:
    print(f"{'role':<12} {'page':<44} {'load (ms)':>10} {'HTML (KB)':>10}  vs 1 s")
    met = True
    for role in ROLES:
        mine = sorted((r for r in rows if r[0] == role), key=lambda r: -r[2])
        for _, path, ms, size in mine[:top]:
            ok = ms <= TARGET_MS
            met &= ok
            verdict = "MET" if ok else "MISSED"
            print(f"{role:<12} {path[:44]:<44} {ms:>10.0f} {size / 1024:>10.1f}  {verdict}")
        slow = sum(1 for r in mine if r[2] > TARGET_MS)
        print(f"{'':<12} ({len(mine)} pages timed, {slow} over 1 s)")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=int, default=1, help="demo county scale")
    parser.add_argument("--runs", type=int, default=3, help="loads of each page")
    parser.add_argument("--top", type=int, default=5, help="slowest pages shown per role")
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--pg-db", default="daodi_bench_pages", help="dropped and recreated")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    args = parser.parse_args()

    from bench.__main__ import PG_ADMIN, machine

    for line in machine():
        print(line)
    if args.db == "sqlite":
        args.dir.mkdir(parents=True, exist_ok=True)
        path = args.dir.resolve() / "pages.sqlite3"
        fresh = not (args.reuse and path.exists())
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        fresh = True
        for sql in (f"DROP DATABASE IF EXISTS {args.pg_db}", f"CREATE DATABASE {args.pg_db}"):
            subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True)
        url = f"postgres://postgres@127.0.0.1:5432/{args.pg_db}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "daodi.settings"}
    os.environ.update(env)
    if fresh:
        prepare(env, args)
    print(f"demo county at scale {args.scale} on {args.db}; {args.runs} loads a page", flush=True)
    with Server(PORT):
        rows = time_pages(f"http://127.0.0.1:{PORT}", args)
    met = report(rows, args.top)
    if args.db == "postgres":
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {args.pg_db}"])
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
