"""Benchmarks of the buying network: ``python -m bench.sourcing [--db ...] [--scale 10]``.

1. The mass balance of the whole county (every node, every lot) on the demo county at
   ``--scale`` with its trace season and its farm and buying season; target ≤ 2 s.
2. Purchases recorded through ``POST /api/purchases/`` on gunicorn as docs/deployment.md
   runs it (``--workers`` sync workers, 2 per core; DEBUG off, on a free loopback port),
   sent by a separate load process of ``--clients`` client threads, as village points post
   at the same time; every purchase has its own submission key; target ≥ 200 purchases/s.
   Then a tenth of them is sent again, timed apart: each replay must answer 200 and record
   nothing. Before them, as a baseline measured in the same run, the same clients read one
   record through the same server and authentication; a purchase's cost is printed in such
   reads, a figure that moves far less than purchases/s between machines.
   Every purchase must be recorded once, with a lot and a receipt number of its own.
3. The mass balance again, with the purchases' lots in the county.

Each database runs in its own child process (Django binds its settings at start-up).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"balance_s": 2.0, "purchases_per_s": 200.0}
PURCHASES = "/api/purchases/"


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the load process ---------------------------------------------------------------------
def load(args) -> int:
    """POST every body of ``--bodies`` from ``--clients`` threads; print what happened (JSON).

    Runs in a process of its own, without Django, so that the clients' work is not counted
    against (or slowed by) the process that checks the results.
    """
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for token, path, body in json.loads(Path(args.load).read_text()):
        head = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        todo.put((head, path, None if body is None else json.dumps(body)))
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(args.clients + 1)

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
        start.wait()
        while True:
            try:
                head, path, body = todo.get_nowait()
            except queue.Empty:
                return
            t = time.perf_counter()
            conn.request("GET" if body is None else "POST", path, body=body, headers=head)
            response = conn.getresponse()
            text = response.read()
            elapsed = time.perf_counter() - t
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
                latencies.append(elapsed)
                if response.status not in (200, 201) and len(failures) < 3:
                    failures.append(text[:300].decode("utf-8", "replace"))

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    start.wait()
    t = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - t
    print(
        json.dumps(
            {
                "seconds": seconds,
                "statuses": statuses,
                "latencies": latencies,
                "failures": failures,
                "load": load_average(),
            }
        )
    )
    return 0


def send(port: int, work: list[tuple[str, dict]], clients: int, path: str = PURCHASES) -> dict:
    """Run a load process sending each (token, body) of ``work`` to ``path`` (a POST; a GET
    where the body is None); its report."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fp:
        json.dump([(token, path, body) for token, body in work], fp)
    try:
        cmd = [sys.executable, "-m", "bench.sourcing", "--load", fp.name]
        cmd += ["--port", str(port), "--clients", str(clients)]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    finally:
        os.unlink(fp.name)
    report = json.loads(done.stdout)
    report["statuses"] = {int(k): v for k, v in report["statuses"].items()}
    return report


# --- one database ---------------------------------------------------------------------------
def child(args) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Count

    from bench.server import Server
    from daodi.catalog.models import Herb
    from daodi.core.actor import Actor
    from daodi.demo import build, history
    from daodi.demo import load as demo_load
    from daodi.orgs import actions as org_actions
    from daodi.orgs.models import Organisation, User
    from daodi.sourcing import demo, queries
    from daodi.sourcing.models import Purchase

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo_load.load(
        build.build_county(seed=2026, scale=args.scale, company_prefix=settings.GS1_COMPANY_PREFIX)
    )
    history.load_demo(events=args.season_events)
    season = demo.load()
    print(
        f"demo county at scale {args.scale}: {Organisation.objects.count():,} organisations, "
        f"{season.purchases} season purchases ({time.perf_counter() - started:.0f} s to load)",
        flush=True,
    )

    # 1. Mass balance of the whole county (again at the end, with the purchases' lots).
    def measure_balance(what: str) -> bool:
        times = []
        for _ in range(3):
            t = time.perf_counter()
            result = queries.mass_balance()
            times.append(time.perf_counter() - t)
        best, median = min(times), statistics.median(times)
        ok = median <= TARGETS["balance_s"]
        print(
            f"mass balance {what}: {len(result.herbs):,} node×herb and {len(result.lots):,} "
            f"node×lot rows, {len(result.imbalances)} imbalance(s); best {best:.2f} s, median "
            f"{median:.2f} s — {verdict(ok)} (≤ {TARGETS['balance_s']:.0f} s)",
            flush=True,
        )
        return ok

    balance_ok = measure_balance("of the demo county")

    # 2. Purchases through the API: an operator at each of --points village points, all
    # posting at once (the demo has one; the others are made here, outside the timing).
    herb = Herb.objects.get(code="dangshen").pk
    points = list(Organisation.objects.filter(kind="village_point").order_by("code"))
    points = points[: args.points]
    counters = []  # per point: (token, point id, its sellers)
    system = Actor.system()
    for point in points:
        user = User.objects.filter(memberships__organisation=point).first()
        if user is None:
            user = org_actions.create_user(
                actor=system,
                username=f"bench-{point.code.lower()}",
                password=f"Bench-{point.code}-{time.time_ns()}",
                organisation=point,
                role="operator",
            )
        _token, secret = org_actions.create_token(actor=system, user=user, name="bench")
        sellers = list(
            Organisation.objects.filter(managed_by=point, kind="household").values_list(
                "pk", flat=True
            )
        )
        counters.append((secret, point.pk, sellers))
    run = f"{time.time_ns():x}"

    def body(i: int, prefix: str) -> tuple[str, dict]:
        secret, point, sellers = counters[i % len(counters)]
        n = i // len(counters)
        return secret, {
            "client_key": f"{prefix}-{run}-{i:06d}",
            "point": point,
            "seller": sellers[n % len(sellers)],
            "herb": herb,
            "gross_kg": str(20 + n % 30),
            "tare_kg": "1.5",
            "moisture_pct": "60",
            "price": "9.5",
            "price_unit": "jin",
            "payment_method": "wechat",
        }

    bodies = [body(i, "bench") for i in range(args.purchases)]
    resent = bodies[::10]
    port = free_port()
    before = Purchase.objects.count()
    with Server(port=port, workers=args.workers, threads=None):
        # Both workers and all their threads import and connect before the timing.
        warm = send(port, [body(i, "warm") for i in range(8 * args.clients)], args.clients)
        # The baseline: the same clients reading one record through the same server,
        # middleware and token authentication; the purchase's cost is read against it.
        reads = [(secret, None) for secret, _body in bodies]
        base = send(port, reads, args.clients, path=f"/api/herbs/{herb}/")
        new = send(port, bodies, args.clients)
        replays = send(port, resent, args.clients)
    warmed = warm["statuses"].get(201, 0)
    recorded = Purchase.objects.count() - before - warmed
    mine = Purchase.objects.filter(client_key__startswith=f"bench-{run}-")
    lots = mine.values("lot").distinct().count()
    receipts = mine.values("receipt_no").distinct().count()
    shared = mine.values("lot").annotate(n=Count("id")).filter(n__gt=1).count()

    rate = new["statuses"].get(201, 0) / new["seconds"]
    lat = new["latencies"]
    replay_ok = replays["statuses"] == {200: len(resent)}
    each_once = recorded == len(bodies) == lots == receipts and new["statuses"] == {
        201: len(bodies)
    }
    purchases_ok = rate >= TARGETS["purchases_per_s"] and each_once and replay_ok
    print(
        f"purchases via API: {len(bodies):,} at {len(points)} points from {args.clients} "
        f"clients in "
        f"{new['seconds']:.1f} s = {rate:.0f}/s; latency p50 {pct(lat, 50) * 1000:.0f} ms, "
        f"p99 {pct(lat, 99) * 1000:.0f} ms; statuses {new['statuses']}; load average "
        f"{new['load']} at the end — {verdict(purchases_ok)} "
        f"(≥ {TARGETS['purchases_per_s']:.0f}/s, each recorded once)",
        flush=True,
    )
    print(
        f"  recorded {recorded:,} purchase(s) with {lots:,} lot(s) and {receipts:,} receipt "
        f"number(s) ({shared} lot(s) shared by two purchases); "
        f"{len(resent):,} replays: {replays['statuses']} in {replays['seconds']:.1f} s "
        f"({len(resent) / replays['seconds']:.0f}/s, p99 "
        f"{pct(replays['latencies'], 99) * 1000:.0f} ms)",
        flush=True,
    )
    base_rate = base["statuses"].get(200, 0) / base["seconds"]
    print(
        f"  baseline on the same server and clients: {len(reads):,} authenticated reads of "
        f"one record (GET /api/herbs/ID/) at {base_rate:.0f}/s (statuses {base['statuses']}); "
        f"a purchase costs {base_rate / max(rate, 1e-9):.1f} reads",
        flush=True,
    )
    for failure in base["failures"] + new["failures"] + replays["failures"]:
        print(f"  failed: {failure}", flush=True)
    balance_ok &= measure_balance(f"after the {recorded:,} purchases")
    return 0 if balance_ok and purchases_ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sourcing")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--season-events", type=int, default=3000)
    parser.add_argument("--purchases", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--points", type=int, default=8, help="village points posting")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--pg-db", default="daodi_bench_sourcing", help="dropped and recreated")
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--load", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        return load(args)
    if args.child:
        return child(args)

    from bench.__main__ import PG_ADMIN, machine

    for line in machine():
        print(line)
    urls = []
    if args.db in ("sqlite", "both"):
        args.dir.mkdir(parents=True, exist_ok=True)
        path = args.dir.resolve() / "sourcing.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        urls.append(("SQLite", f"sqlite:///{path}"))
    if args.db in ("postgres", "both"):
        for sql in (f"DROP DATABASE IF EXISTS {args.pg_db}", f"CREATE DATABASE {args.pg_db}"):
            subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True)
        urls.append(("PostgreSQL", f"postgres://postgres@127.0.0.1:5432/{args.pg_db}"))
    status = 0
    for name, url in urls:
        print(f"\n=== {name} === (load average {load_average()})", flush=True)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "daodi.settings"}
        cmd = [sys.executable, "-m", "bench.sourcing", "--child", "--scale", str(args.scale)]
        cmd += ["--season-events", str(args.season_events), "--purchases", str(args.purchases)]
        cmd += ["--clients", str(args.clients), "--points", str(args.points)]
        cmd += ["--workers", str(args.workers)]
        status |= subprocess.run(cmd, cwd=ROOT, env=env).returncode
    if args.db in ("postgres", "both"):
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {args.pg_db}"])
    return status


if __name__ == "__main__":
    sys.exit(main())
