"""Texts kept for later readers: a message stored as its msgid and values, shown in the
language of whoever reads it. A flag raised through the English API reads in Chinese on a
station's phone, and the other way round.

Writers mark the msgid with ``gettext_noop`` so that it is collected for translation.
"""

from __future__ import annotations

from django.utils.translation import get_language, gettext


def later(msgid: str, values: dict) -> dict:
    """``msgid`` with its ``%(name)s`` values (kept as text), for :func:`shown`."""
    return {"msgid": str(msgid), "values": {k: str(v) for k, v in values.items()}}


def shown(text: dict | None) -> str:
    """The kept text in the reader's language ("" for none; a text kept before msgids were,
    as it was written)."""
    if not text:
        return ""
    if "msgid" not in text:
        return str(text.get("text", ""))
    msgid, values = text["msgid"], text.get("values") or {}
    for template in (gettext(msgid), msgid):  # a translation may name another value
        try:
            return template % values
        except (KeyError, TypeError, ValueError):
            continue
    return msgid


class FlagText:
    """``flag_reason``: a model's ``flag`` (msgid and values) in the reader's language."""

    @property
    def flag_reason(self) -> str:
        return shown(self.flag)


def in_language(chinese: str, english: str) -> str:
    """``english`` on an English page when there is one, else ``chinese``."""
    if english and (get_language() or "").startswith("en"):
        return english
    return chinese


def name_of(record) -> str:
    """A record's name in the reader's language: on an English page its ``english_name``
    where the record has one (herbs, grades, trade items, test items), else its own name."""
    if (get_language() or "").startswith("en"):
        english = getattr(record, "english_name", "")
        if english:
            return str(english)
    return str(record)
