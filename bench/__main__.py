"""Run every benchmark on SQLite and PostgreSQL: ``python -m bench [--events N] [--db ...]``.

Each database gets its own child process (Django binds its settings at start-up), which
runs ``bench.suite``. Machine information is printed first.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def machine() -> list[str]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in subprocess.run(
                ["lscpu"], capture_output=True, text=True
            ).stdout.splitlines()
            if line.startswith("Model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(line.split()[1]) // 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    try:
        pg = subprocess.run(
            ["psql", PG_ADMIN, "-Atc", "show server_version"], capture_output=True, text=True
        ).stdout.strip()
    except FileNotFoundError:
        pg = "?"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        f"CPU: {model}, {os.cpu_count()} cores; RAM {mem / 1024:.1f} GiB; load average {load}",
        f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; PostgreSQL {pg}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--events", type=int, default=1_000_000, help="history size")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=15.0, help="page load duration")
    parser.add_argument(
        "--dir",
        type=Path,
        default=ROOT / "var" / "bench",
        help="where files go (SQLite, documents)",
    )
    parser.add_argument("--capture-only", action="store_true", help="skip trace and page load")
    parser.add_argument("--pg-db", default="daodi_bench", help="PostgreSQL database (dropped!)")
    args = parser.parse_args()
    pg_bench = f"postgres://postgres@127.0.0.1:5432/{args.pg_db}"
    for line in machine():
        print(line)
    urls = []
    if args.db in ("sqlite", "both"):
        args.dir.mkdir(parents=True, exist_ok=True)
        path = args.dir.resolve() / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        urls.append(("SQLite", f"sqlite:///{path}"))
    if args.db in ("postgres", "both"):
        for sql in (f"DROP DATABASE IF EXISTS {args.pg_db}", f"CREATE DATABASE {args.pg_db}"):
            subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True)
        urls.append(("PostgreSQL", pg_bench))
    status = 0
    for name, url in urls:
        print(f"\n=== {name} ===", flush=True)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "daodi.settings",
            "BENCH_DIR": str(args.dir.resolve()),
        }
        cmd = [sys.executable, "-m", "bench.suite", "--events", str(args.events)]
        cmd += ["--seconds", str(args.seconds)] + (["--capture-only"] if args.capture_only else [])
        status |= subprocess.run(cmd, cwd=ROOT, env=env).returncode
    if args.db in ("postgres", "both"):
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {args.pg_db}"])
    return status


if __name__ == "__main__":
    sys.exit(main())
