"""Running numbers (lot batches, documents) taken in O(1) from a counter row.

Counting the existing records to find the next number reads more rows every time one is
added (a busy buying day numbers thousands of lots of one herb). A counter row per key is
incremented in the caller's transaction instead: the row stays locked until it commits, so
two transactions never take the same number, and a rolled-back one leaves no gap. Taken
outside a transaction, the number is kept at once (the one statement commits by itself)
and no row stays locked; a caller that then fails leaves a gap.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection

from .models import Counter


def take(key: str, start: Callable[[], int], count: int = 1) -> int:
    """The next number under ``key``; a new key continues from ``start()`` (the highest
    number already used some other way, 0 for none). ``count``: a block of that many
    numbers is taken at once (a packing run's serials), and the last of them returned."""
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {table} SET "value" = "value" + %s WHERE "key" = %s RETURNING "value"',
            [count, key],
        )
        row = cursor.fetchone()
        if row is None:
            # Two first takers meet at the primary key: the second one increments.
            cursor.execute(
                f'INSERT INTO {table} ("key", "value") VALUES (%s, %s) '
                f'ON CONFLICT ("key") DO UPDATE SET "value" = {table}."value" + %s '
                'RETURNING "value"',
                [key, start() + count, count],
            )
            row = cursor.fetchone()
    return row[0]
