"""One database's benchmarks (run by ``python -m bench`` with DATABASE_URL set).

1. capture: ``daodi capture`` (a child process, documents written first, untimed) and
   ``POST /epcis/capture`` (gunicorn, 2 workers, two senders on loopback), each beside a
   raw bulk insert of the same prepared Event + EventIdentifier rows;
2. trace: ``queries.graph(both)`` of random retail items beside hop-by-hop queries of the
   kind a client of a plain EPCIS repository makes (``MATCH_anyEPC`` per identifier);
3. the consumer trace page under load (gunicorn, 2 workers; client threads on loopback);
4. peak memory (max RSS) of ``daodi capture`` children on documents of up to 100 MB.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.server import Server  # noqa: E402
from daodi.core.actor import Actor  # noqa: E402
from daodi.demo import history  # noqa: E402
from daodi.trace import capture, queries  # noqa: E402
from daodi.trace.epcis import identifiers  # noqa: E402
from daodi.trace.models import Event, EventIdentifier  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("BENCH_DIR", ROOT / "var" / "bench")) / "docs"
BIN = Path(sys.executable).parent
PORT = 8765
DOC_BYTES = 100 * 1024 * 1024
REST_SHARE = 0.1  # the last tenth of the history goes in through POST /epcis/capture
REST_DOC_EVENTS = 1000
# ``daodi …`` run in-process, printing its peak resident memory (kB) to stderr at exit.
CLI_WITH_PEAK = (
    "import atexit, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM'):\n"
    "            print(line.strip(), file=sys.stderr)\n"
    "atexit.register(peak)\n"
    "sys.argv[0] = 'daodi'\n"
    "from daodi.cli import main\n"
    "main()\n"
)
TARGETS = {"cli": 10_000, "rest": 3_000, "ratio": 5.0, "trace_p99": 0.020}


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def write_documents(events, limit_bytes: int, limit_events: int | None, stem: str) -> list[Path]:
    """Write events into documents of at most ``limit_bytes`` (or ``limit_events``)."""
    paths, fp, size, count = [], None, 0, 0
    for event in events:
        line = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        if fp is None or size + len(line) > limit_bytes or count == limit_events:
            if fp:
                fp.write("\n]}}\n")
                fp.close()
            paths.append(WORK / f"{stem}-{len(paths):04d}.jsonld")
            fp = paths[-1].open("w", encoding="utf-8")
            head = {
                "@context": history.CONTEXT,
                "type": "EPCISDocument",
                "schemaVersion": "2.0",
                "creationDate": "2026-12-31T00:00:00Z",
            }
            fp.write(json.dumps(head)[:-1] + ', "epcisBody": {"eventList": [\n')
            size, count = 0, 0
        fp.write((",\n" if count else "") + line)
        size += len(line.encode()) + 2
        count += 1
    if fp:
        fp.write("\n]}}\n")
        fp.close()
    return paths


def _rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _native(row: tuple) -> tuple:
    # PostgreSQL hands jsonb back as a dict: COPY takes its text, made here, untimed.
    return tuple(json.dumps(v) if isinstance(v, (dict, list)) else v for v in row)


def raw_insert(events: list[dict]) -> tuple[float, int]:
    """Seconds to bulk insert the rows that capturing ``events`` writes; and their count.

    The sample is captured for real (in a transaction rolled back afterwards) and every row
    it wrote is read back: its ``Event``, ``EventIdentifier`` and final ``Lot`` rows. Those
    same rows are then inserted the fastest plain way — ``executemany`` on SQLite, ``COPY``
    on PostgreSQL — in batches of ``capture.BATCH`` events, and rolled back. Only the
    inserts are timed: no validation, hashing, projection or lot updates.
    """
    from daodi.trace.models import Capture, Lot

    qn = connection.ops.quote_name
    tables = {m: m._meta.db_table for m in (Event, EventIdentifier, Lot)}
    columns = {
        m: [f.column for f in m._meta.concrete_fields if m is Event or f.column != "id"]
        for m in tables
    }
    with transaction.atomic():
        job = Capture.objects.create()
        outcome = capture.capture_events(enumerate(events), capture=job, prefixes=history.PREFIXES)
        assert not outcome.errors, outcome.errors[:2]
        ids = list(outcome.stored.ids)
        first, last = ids[0], ids[-1]
        cols = lambda m: ", ".join(qn(c) for c in columns[m])  # noqa: E731
        event_rows = _rows(
            f"SELECT {cols(Event)} FROM {qn(tables[Event])} WHERE id BETWEEN %s AND %s ORDER BY id",
            [first, last],
        )
        ident_rows = _rows(
            f"SELECT {cols(EventIdentifier)} FROM {qn(tables[EventIdentifier])} "
            "WHERE event_id BETWEEN %s AND %s ORDER BY id",
            [first, last],
        )
        lot_rows = _rows(
            f"SELECT {cols(Lot)} FROM {qn(tables[Lot])} WHERE first_event_id BETWEEN %s AND %s "
            "ORDER BY id",
            [first, last],
        )
        transaction.set_rollback(True)
    event_rows = [_native(r) for r in event_rows]
    by_event: dict[int, list] = {}
    for row in ident_rows:
        by_event.setdefault(row[0], []).append(row)
    by_first: dict[int, list] = {}
    first_at = columns[Lot].index("first_event_id")
    for row in lot_rows:
        by_first.setdefault(row[first_at], []).append(row)
    elapsed = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(event_rows), capture.BATCH):
            batch = event_rows[start : start + capture.BATCH]
            idents = [r for e in batch for r in by_event.get(e[0], ())]
            lots = [r for e in batch for r in by_first.get(e[0], ())]
            t = time.perf_counter()
            for model, rows in ((Event, batch), (EventIdentifier, idents), (Lot, lots)):
                _bulk_insert(cursor, tables[model], columns[model], rows)
            elapsed += time.perf_counter() - t
        transaction.set_rollback(True)
    return elapsed, len(event_rows) + len(ident_rows) + len(lot_rows)


def _bulk_insert(cursor, table: str, columns: list[str], rows: list[tuple]) -> None:
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {qn(table)} ({names}) VALUES ({marks})", rows)


def rest_capture(paths: list[Path], token: str, clients: int = 2) -> tuple[float, list]:
    """POST the documents from ``clients`` concurrent senders (outside systems), each
    polling its capture jobs; (seconds, failures)."""
    failures: list = []
    todo = list(reversed(paths))
    lock = threading.Lock()
    head = {"Authorization": f"Bearer {token}", "Content-Type": "application/ld+json"}

    def sender():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
        while True:
            with lock:
                if not todo:
                    return
                path = todo.pop()
            conn.request("POST", "/epcis/capture", body=path.read_bytes(), headers=head)
            response = conn.getresponse()
            response.read()
            if response.status != 202:
                failures.append((path.name, response.status))
                continue
            location = response.getheader("Location")
            while True:
                conn.request("GET", location, headers=head)
                job = conn.getresponse()
                body = json.loads(job.read() or b"{}")
                if body.get("running") is False or body.get("status") in ("success", "failed"):
                    break
                time.sleep(0.05)
            if body.get("errors"):
                failures.append((path.name, body["errors"][:1]))

    started = time.perf_counter()
    threads = [threading.Thread(target=sender) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, failures


def naive_trace(root: str) -> int:
    """Hop by hop, as a client of a plain EPCIS repository: for each identifier on the
    frontier, fetch the events naming it (MATCH_anyEPC) and follow inputs to outputs and
    children to parents, backward and forward. Returns how many queries it made."""
    queries_made = 0
    for forward in (False, True):
        seen, frontier = {root}, [root]
        while frontier:
            ident = frontier.pop()
            queries_made += 1
            docs = Event.objects.filter(identifiers__identifier=ident).values_list(
                "document", flat=True
            )
            for doc in docs:
                ins = [*doc.get("inputEPCList", []), *doc.get("childEPCs", [])]
                ins += [q["epcClass"] for q in doc.get("inputQuantityList", [])]
                ins += [q["epcClass"] for q in doc.get("childQuantityList", [])]
                outs = [*doc.get("outputEPCList", [])]
                outs += [q["epcClass"] for q in doc.get("outputQuantityList", [])]
                if doc.get("parentID"):
                    outs.append(doc["parentID"])
                ins = [identifiers.canonical(i) for i in ins]
                outs = [identifiers.canonical(o) for o in outs]
                near, far = (ins, outs) if forward else (outs, ins)
                if ident in near:
                    for nxt in far:
                        if nxt not in seen:
                            seen.add(nxt)
                            frontier.append(nxt)
    return queries_made


def page_load(paths: list[str], seconds: float, threads: int = 8):
    """Client threads with keep-alive connections fetching random trace pages."""
    latencies, errors, stop = [], [0], time.perf_counter() + seconds
    lock = threading.Lock()

    def worker(seed):
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine = []
        while time.perf_counter() < stop:
            t = time.perf_counter()
            conn.request("GET", rng.choice(paths), headers={"Accept": "text/html"})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - t)
            if response.status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return latencies, time.perf_counter() - started, errors[0]


def trace_and_pages(hist, seconds: float) -> None:
    """The trace and consumer page figures (gunicorn is running)."""
    # --- trace ------------------------------------------------------------------------
    rng = random.Random(1)
    items = [
        hist.item(si, ri, rng.randrange(run_.bags))
        for si, season in enumerate(hist.seasons)
        for ri, run_ in enumerate(season.runs)
        if run_.bags
    ]
    picks = [rng.choice(items) for _ in range(200)]
    fast, slow, hops = [], [], []
    for item in picks:
        t = time.perf_counter()
        queries.graph(item.identifier, direction="both")
        fast.append(time.perf_counter() - t)
    for item in picks[:50]:
        t = time.perf_counter()
        hops.append(naive_trace(item.identifier))
        slow.append(time.perf_counter() - t)
    p50, p99 = pct(fast, 50) * 1000, pct(fast, 99) * 1000
    n50, n99 = pct(slow, 50) * 1000, pct(slow, 99) * 1000
    total = Event.objects.count()
    print(
        f"trace both ways of {len(picks)} random retail items ({total:,} events stored): "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms -> "
        f"{verdict(p99 <= 20)} (target p99 <= 20 ms)",
        flush=True,
    )
    print(
        f"  naive hop-by-hop MATCH_anyEPC ({statistics.mean(hops):.0f} queries each): "
        f"p50 {n50:.1f} ms, p99 {n99:.1f} ms; naive/ours = {n50 / p50:.1f}x at p50, "
        f"{n99 / p99:.1f}x at p99",
        flush=True,
    )

    # --- consumer page ----------------------------------------------------------------
    paths = list(dict.fromkeys(item.path for item in picks))
    # Cold: the first scan of each item builds its story (one client, one request at a time).
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    cold = []
    for path in paths:
        t = time.perf_counter()
        conn.request("GET", path, headers={"Accept": "text/html"})
        conn.getresponse().read()
        cold.append(time.perf_counter() - t)
    print(
        f"consumer trace page, first scan of {len(paths)} items (story built): "
        f"p50 {pct(cold, 50) * 1000:.0f} ms, p99 {pct(cold, 99) * 1000:.0f} ms",
        flush=True,
    )
    latencies, elapsed, errors = page_load(paths, seconds)
    rate = len(latencies) / elapsed
    p99 = pct(latencies, 99) * 1000
    print(
        f"consumer trace page under load: {rate:,.0f} pages/s, "
        f"p50 {pct(latencies, 50) * 1000:.0f} ms, "
        f"p99 {p99:.0f} ms, {errors} non-200 -> {verdict(rate >= 300 and p99 <= 100)} "
        f"(target >= 300 pages/s, p99 <= 100 ms)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--capture-only", action="store_true", help="skip trace and page load")
    args = parser.parse_args()
    vendor = connection.vendor
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    call_command("demo", "--season-events", "0", stdout=io.StringIO())
    facts = history.county_facts()
    hist = history.plan(facts, events=args.events)
    history.create_plots(hist)
    print(
        f"history: {hist.count:,} events over {len(hist.seasons)} season(s), "
        f"{len(hist.plots):,} plots (county + plan {time.perf_counter() - t:.1f} s)",
        flush=True,
    )

    # --- documents (untimed) ----------------------------------------------------------
    WORK.mkdir(parents=True, exist_ok=True)
    for old in WORK.glob("*.jsonld"):
        old.unlink()
    split = int(hist.count * (1 - REST_SHARE))
    stream = hist.events()
    t = time.perf_counter()
    cli_docs = write_documents((next(stream) for _ in range(split)), DOC_BYTES, None, "cli")
    rest_docs = write_documents(stream, DOC_BYTES, REST_DOC_EVENTS, "rest")
    sizes = [p.stat().st_size for p in cli_docs]
    print(
        f"documents: {len(cli_docs)} for the CLI (largest {max(sizes) / 2**20:.0f} MB), "
        f"{len(rest_docs)} for REST, written in {time.perf_counter() - t:.0f} s",
        flush=True,
    )

    # --- raw baseline on a sample of the same events ----------------------------------
    sample = [e for _, e in zip(range(min(split, 20_000)), hist.events(), strict=False)]
    seconds, rows = raw_insert(sample)
    raw = len(sample) / seconds
    print(
        f"raw insert baseline: {raw:,.0f} events/s ({len(sample):,} events, {rows:,} rows of "
        f"Event, EventIdentifier and Lot)",
        flush=True,
    )

    # --- daodi capture ----------------------------------------------------------------
    t = time.perf_counter()
    # One child per document: the memory target is per 100 MB document. Each child reports
    # its own peak (VmHWM): getrusage(RUSAGE_CHILDREN) would count this process's size,
    # which a child inherits until it execs (subprocess spawns with vfork).
    peaks = []
    for path in cli_docs:
        run = subprocess.run(
            [sys.executable, "-c", CLI_WITH_PEAK, "capture", "--organisation", "TH-HUB", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if run.returncode:
            print(run.stdout[-2000:], run.stderr[-2000:])
        peaks += [int(line.split()[1]) for line in run.stderr.splitlines() if "VmHWM" in line]
    cli_time = time.perf_counter() - t
    rss_mb = max(peaks, default=0) / 1024
    stored = Event.objects.count()
    cli_rate = stored / cli_time
    ok = cli_rate >= TARGETS["cli"] and raw / cli_rate <= TARGETS["ratio"]
    print(
        f"daodi capture: {stored:,} events in {cli_time:.1f} s = {cli_rate:,.0f} events/s; "
        f"raw/capture = {raw / cli_rate:.1f}x -> {verdict(ok)} "
        f"(target >= 10,000/s and within 5x)",
        flush=True,
    )
    print(
        f"peak memory of daodi capture (documents up to {max(sizes) / 2**20:.0f} MB): "
        f"{rss_mb:.0f} MB -> {verdict(rss_mb <= 300)} (target <= 300 MB)",
        flush=True,
    )

    # --- POST /epcis/capture ----------------------------------------------------------
    from daodi.orgs import actions as org_actions
    from daodi.orgs.models import User

    admin = User.objects.get(username="admin")
    _token, secret = org_actions.create_token(actor=Actor.system(), user=admin, name="bench")
    before = Event.objects.count()
    with Server(PORT):
        rest_time, failures = rest_capture(rest_docs, secret)
        rest_events = Event.objects.count() - before
        rest_rate = rest_events / rest_time if rest_time else 0
        ok = rest_rate >= TARGETS["rest"] and raw / max(rest_rate, 1e-9) <= TARGETS["ratio"]
        print(
            f"POST /epcis/capture (2 senders, documents of {REST_DOC_EVENTS:,} events): "
            f"{rest_events:,} events in {rest_time:.1f} s = "
            f"{rest_rate:,.0f} events/s; raw/REST = {raw / max(rest_rate, 1e-9):.1f}x -> "
            f"{verdict(ok)} (target >= 3,000/s and within 5x)"
            + (f"; {len(failures)} failed: {failures[:2]}" if failures else ""),
            flush=True,
        )

        if not args.capture_only:
            if vendor == "postgresql":
                # Planner statistics, as autovacuum would gather on a live server.
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            trace_and_pages(hist, args.seconds)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"database: {vendor}; load average at the end {load}", flush=True)


if __name__ == "__main__":
    main()
