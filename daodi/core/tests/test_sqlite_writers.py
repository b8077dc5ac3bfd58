"""SQLite writers queue on a lock (core/sqlite): each waits its turn, none is lost, and a
crash or a close never leaves the queue stuck. Each test writes a database file of its own
through the backend, whatever database the suite runs on."""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler


def connect(path, timeout: float = 20):
    return ConnectionHandler(
        {
            "default": {
                "ENGINE": "daodi.core.sqlite",
                "NAME": str(path),
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout},
            }
        }
    )["default"]


@contextlib.contextmanager
def atomic(conn):
    """What ``transaction.atomic`` does on SQLite, on a connection of our own."""
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    else:
        conn.commit()
    finally:
        conn.set_autocommit(True)


@pytest.fixture(autouse=True)
def own_connections(django_db_blocker):
    """These tests open connections of their own, to a file of their own."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "writers.sqlite3"
    conn = connect(path)
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, who TEXT)")
    conn.close()
    return path


def entries(path) -> list[str]:
    conn = connect(path)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT who FROM entry ORDER BY id")
            return [row[0] for row in cursor.fetchall()]
    finally:
        conn.close()


def write(path, who: str, *, inside=None, timeout: float = 20, close=True) -> None:
    """One entry in one transaction; ``inside()`` runs before it commits."""
    conn = connect(path, timeout)
    try:
        with atomic(conn):
            with conn.cursor() as cursor:
                cursor.execute("INSERT INTO entry (who) VALUES (%s)", [who])
            if inside is not None:
                inside()
    finally:
        if close:
            conn.close()


def in_thread(target, *args, **kwargs) -> tuple[threading.Thread, list]:
    errors: list[BaseException] = []

    def run():
        try:
            target(*args, **kwargs)
        except BaseException as exc:  # reported to the test
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_a_second_writer_waits_for_the_first_and_both_are_kept(database):
    inside, release = threading.Event(), threading.Event()

    def hold():
        inside.set()
        release.wait(10)

    first, first_errors = in_thread(write, database, "first", inside=hold)
    assert inside.wait(10)
    second, second_errors = in_thread(write, database, "second")
    time.sleep(0.3)
    assert second.is_alive(), "the second writer began while the first one wrote"
    assert entries(database) == []  # readers see nothing uncommitted, and are not blocked
    release.set()
    first.join(10), second.join(10)
    assert not first_errors and not second_errors
    assert entries(database) == ["first", "second"]


def test_a_crash_in_the_middle_writes_nothing_and_frees_the_next_writer(database):
    def crash():
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        write(database, "lost", inside=crash)
    thread, errors = in_thread(write, database, "next")
    thread.join(5)
    assert not thread.is_alive() and not errors
    assert entries(database) == ["next"]


def test_a_writer_that_waits_longer_than_the_timeout_is_told_the_database_is_locked(database):
    inside, release = threading.Event(), threading.Event()

    def hold():
        inside.set()
        release.wait(10)

    first, _ = in_thread(write, database, "slow", inside=hold)
    assert inside.wait(10)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="locked"):
        write(database, "impatient", timeout=0.5)
    assert time.monotonic() - started < 5
    release.set()
    first.join(10)
    assert entries(database) == ["slow"]


def _hold_in_child(path, ready, release):
    def hold():
        ready.set()
        release.wait(10)

    write(path, "child", inside=hold)


def test_writers_of_two_processes_queue_on_the_same_lock(database):
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    child = context.Process(target=_hold_in_child, args=(str(database), ready, release))
    child.start()
    try:
        assert ready.wait(60)
        writer, errors = in_thread(write, database, "parent")
        time.sleep(0.3)
        assert writer.is_alive(), "the parent wrote while the child's transaction was open"
        release.set()
        writer.join(10)
        assert not errors
    finally:
        release.set()
        child.join(30)
    assert child.exitcode == 0
    assert entries(database) == ["child", "parent"]


def test_closing_a_connection_inside_a_transaction_frees_the_queue(database):
    conn = connect(database)
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute("INSERT INTO entry (who) VALUES ('abandoned')")
    conn.close()  # a worker killed mid-request: its connection goes, with the transaction
    thread, errors = in_thread(write, database, "after")
    thread.join(5)
    assert not thread.is_alive() and not errors
    assert entries(database) == ["after"]
