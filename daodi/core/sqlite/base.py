"""Django's SQLite backend with writers queued on a lock beside the database file.

SQLite lets one transaction write at a time. The others wait in its busy handler, which
polls with sleeps growing to 100 ms: when village points post purchases at once, a writer
often sleeps long after the database is free, and throughput falls as load rises. Here a
transaction takes, before ``BEGIN IMMEDIATE``, a lock of its process (threads block on it
without polling) and then an exclusive ``flock`` of ``<database>.writers`` (shared with
the other processes, polled every millisecond), and gives both back at commit,
rollback or close. After the database's own timeout it stops waiting and lets SQLite
report "database is locked" as before. Databases in memory have one connection: no lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time

from django.db.backends.sqlite3 import base

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()
os.register_at_fork(after_in_child=_LOCKS.clear)


def _process_lock(path: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writer_lock: threading.Lock | None = None  # held by this connection's transaction

    def _lock_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        return f"{self.settings_dict['NAME']}.writers"

    def _take_writers_lock(self) -> None:
        path = self._lock_path()
        if path is None:
            return
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        deadline = time.monotonic() + timeout
        lock = _process_lock(path)
        if not lock.acquire(timeout=timeout):
            return
        if self._writer_fd is None:
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        delay = 0.0005
        while True:
            try:
                fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    lock.release()
                    return
                time.sleep(delay)
                delay = min(delay * 2, 0.001)
            else:
                self._writer_lock = lock
                return

    def _give_back_writers_lock(self) -> None:
        lock, self._writer_lock = self._writer_lock, None
        if lock is not None:
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)
            lock.release()

    def _start_transaction_under_autocommit(self):
        self._take_writers_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._give_back_writers_lock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._give_back_writers_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._give_back_writers_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._give_back_writers_lock()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
