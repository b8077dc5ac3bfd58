"""Stream an EPCIS 2.0 JSON-LD document: its header, then its events one at a time.

A capture of a 100 MB document must fit in bounded memory, so the document is never loaded
whole: ``ijson`` (C backend where available) tokenises it and only one event at a time is
built as a dict. Works for ``EPCISDocument`` (``epcisBody.eventList``) and
``EPCISQueryDocument`` (``epcisBody.queryResults.resultsBody.eventList``)::

    with open(path, "rb") as fp:
        reader = DocumentReader(fp)
        reader.header          # fields met before the first event (@context, type, ...)
        for index, event in reader.events():
            ...

Header fields normally precede ``epcisBody``, but JSON does not order keys and some
documents put ``@context`` last. When the body comes before ``@context`` and the file is
seekable, the reader scans the rest of the document once (skipping the body token by token,
still in bounded memory) so that the header is complete before the first event. A
non-seekable stream gets the late fields only once the events are exhausted; spool such
input to a temporary file first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import ijson

from .hashing import context_prefixes

DOCUMENT_TYPES = ("EPCISDocument", "EPCISQueryDocument")


class DocumentError(ValueError):
    """The input is not well-formed JSON or not shaped like an EPCIS document."""


def _build(start: tuple[str, Any], tokens: Iterator[tuple[str, Any]]) -> Any:
    """The complete JSON value that begins with token ``start``."""
    event, value = start
    if event not in ("start_map", "start_array"):
        return value
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for event, value in tokens:
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                return builder.value
    raise DocumentError("the document ends inside a value")


def _skip(start: tuple[str, Any], tokens: Iterator[tuple[str, Any]]) -> None:
    """Consume the JSON value that begins with token ``start`` without building it."""
    if start[0] not in ("start_map", "start_array"):
        return
    depth = 1
    for event, _ in tokens:
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                return


def _keys(tokens: Iterator[tuple[str, Any]], where: str) -> Iterator[str]:
    """The keys of the JSON object whose ``start_map`` comes next."""
    event, _ = next(tokens)
    if event != "start_map":
        raise DocumentError(f"{where} must be a JSON object")
    for event, value in tokens:
        if event == "end_map":
            return
        yield value


class DocumentReader:
    """Reads an EPCIS document from a binary file object as a stream (see module docstring)."""

    def __init__(self, fp: IO[bytes]):
        self._fp = fp
        self._tokens = ijson.basic_parse(fp, use_float=True)
        self._header: dict[str, Any] = {}
        self._stream = self._walk()
        self._first: tuple[int, dict] | None = None
        self._started = False
        self.event_count = 0

    @property
    def header(self) -> dict[str, Any]:
        """Document fields other than the events (``queryResults`` without its body)."""
        self._prime()
        return self._header

    @property
    def prefixes(self) -> dict[str, str]:
        """The namespace prefixes declared by the document's ``@context``."""
        self._prime()
        return context_prefixes(self._header.get("@context"))

    @property
    def document_type(self) -> str | None:
        return self.header.get("type")

    def _prime(self) -> None:
        # Reading the header means reading up to the first event, which is kept for events().
        if not self._started:
            self._started = True
            self._first = next(self._stream, None)

    def events(self) -> Iterator[tuple[int, dict]]:
        """(index, event) for each event, in document order."""
        self._prime()
        if self._first is not None:
            first, self._first = self._first, None
            yield first
            yield from self._stream

    def _walk(self) -> Iterator[tuple[int, dict]]:
        try:
            yield from self._document()
        except ijson.JSONError as exc:
            raise DocumentError(f"not well-formed JSON: {exc}") from exc

    def _value(self) -> Any:
        return _build(next(self._tokens), self._tokens)

    def _document(self) -> Iterator[tuple[int, dict]]:
        seen_body = False
        for key in _keys(self._tokens, "the document"):
            if key == "epcisBody":
                seen_body = True
                if "@context" not in self._header:
                    self._scan_trailing_header()
                yield from self._body()
            else:
                self._header[key] = self._value()
        if not seen_body:
            raise DocumentError("the document has no epcisBody")

    def _scan_trailing_header(self) -> None:
        """Read the top-level fields after ``epcisBody`` with a second, body-skipping parse."""
        seekable = getattr(self._fp, "seekable", None)
        if not (seekable and seekable()):
            return
        position = self._fp.tell()
        try:
            self._fp.seek(0)
            tokens = ijson.basic_parse(self._fp, use_float=True)
            for key in _keys(tokens, "the document"):
                start = next(tokens)
                if key == "epcisBody":
                    _skip(start, tokens)
                else:
                    self._header.setdefault(key, _build(start, tokens))
        finally:
            self._fp.seek(position)

    def _body(self) -> Iterator[tuple[int, dict]]:
        for key in _keys(self._tokens, "epcisBody"):
            if key == "eventList":
                yield from self._event_list()
            elif key == "queryResults":
                results = self._header.setdefault("queryResults", {})
                for rkey in _keys(self._tokens, "queryResults"):
                    if rkey == "resultsBody":
                        for bkey in _keys(self._tokens, "resultsBody"):
                            if bkey == "eventList":
                                yield from self._event_list()
                            else:
                                _skip(next(self._tokens), self._tokens)
                    else:
                        results[rkey] = self._value()
            else:
                self._header.setdefault("epcisBody", {})[key] = self._value()

    def _event_list(self) -> Iterator[tuple[int, dict]]:
        event, _ = next(self._tokens)
        if event != "start_array":
            raise DocumentError("eventList must be a JSON array")
        for token in self._tokens:
            if token[0] == "end_array":
                return
            value = _build(token, self._tokens)
            index = self.event_count
            self.event_count += 1
            yield index, value


def read_events(path: str) -> Iterator[tuple[dict, int, dict]]:
    """(header, index, event) for each event of the document at ``path``; a convenience."""
    with open(path, "rb") as fp:
        reader = DocumentReader(fp)
        for index, event in reader.events():
            yield reader.header, index, event
