"""gunicorn for the benchmarks that load pages over HTTP (bench.suite, bench.pages)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class Server:
    """gunicorn on 127.0.0.1, DEBUG off, the page's rate limit lifted for the run: by default
    2 worker processes of 4 threads each (``gthread``); ``workers`` alone gives that many
    sync workers, as docs/deployment.md runs it."""

    def __init__(self, port: int, workers: int = 2, threads: int | None = 4):
        self.port = port
        self.workers = ["-w", str(workers)]
        if threads:
            self.workers += ["--worker-class", "gthread", "--threads", str(threads)]

    def __enter__(self):
        env = {**os.environ, "PUBLIC_RATE": "1000000/s", "RESOLVER_RATE": "0", "DEBUG": "0"}
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "daodi.wsgi",
                *self.workers,
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "600",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", self.port, timeout=1).request("GET", "/")
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)
