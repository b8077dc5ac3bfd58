"""GS1 identifiers in EPCIS: EPC pure-identity URNs and GS1 Digital Link URIs as one form.

An event may name the same thing as ``urn:epc:id:sgtin:4012345.011111.9876`` or as
``https://brand.example/01/04012345111118/21/9876``. Both parse to one :class:`Identifier`
whose :attr:`~Identifier.canonical` form is the *constrained canonical Digital Link* of the
CBV 2.0 event hash: host ``https://id.gs1.org``, numeric application identifiers, a 14-digit
GTIN, no query string, no CPV, only the finest level of identification (serial wins over
lot). That form is derivable from either side without knowing the GS1 Company Prefix length,
so it is what the identifier index stores and what queries match. Writing an EPC URN back
needs the prefix length (:meth:`Identifier.to_urn`).

Check digits in Digital Links are verified (:class:`IdentifierError` otherwise); EPC URNs
carry none, the canonical form computes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from daodi.core.gs1 import check_digit

CANONICAL_HOST = "https://id.gs1.org"


class IdentifierError(ValueError):
    """A value that should be a GS1 identifier but is not a valid one."""


# GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1).
_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$")
# GS1 AI encodable character set 39, for component/part identifiers (AI 8010).
_CSET39 = re.compile(r"^[#\-/0-9A-Z]*$")
# Digital Link percent-encodes these in path values; EPC URNs escape a subset ("%&/<>?).
_DL_ESCAPE = set('!"#%&()*+,/:<>?@[] ')
_URN_ESCAPE = set('"%&/<>?#')


def _encode(value: str, escape: set[str]) -> str:
    if value.isalnum() and value.isascii():
        return value  # the common case (digits, plain serials): nothing to escape
    return "".join(f"%{ord(c):02X}" if c in escape else c for c in value)


def dl_encode(value: str) -> str:
    """Percent-encode a raw AI value for a Digital Link path segment."""
    return _encode(value, _DL_ESCAPE)


def urn_encode(value: str) -> str:
    """Escape a raw AI value for an EPC URN component (TDS 2.0 §6.3)."""
    return _encode(value, _URN_ESCAPE)


@dataclass(frozen=True)
class _Key:
    """A primary key application identifier and the shape of its value."""

    ai: str
    name: str
    digits: int | None  # length of the leading numeric part that ends in a check digit
    extra_max: int = 0  # length allowed after it (serial component), characters
    numeric_extra: bool = False


KEYS: dict[str, _Key] = {
    k.ai: k
    for k in (
        _Key("01", "gtin", 14),
        _Key("00", "sscc", 18),
        _Key("414", "gln", 13),
        _Key("417", "pgln", 13),
        _Key("8003", "grai", 14, 16),
        _Key("8004", "giai", None, 30),
        _Key("8018", "gsrn", 18),
        _Key("8017", "gsrnp", 18),
        _Key("253", "gdti", 13, 17),
        _Key("255", "gcn", 13, 12, numeric_extra=True),
        _Key("401", "ginc", None, 30),
        _Key("402", "gsin", 17),
        _Key("8006", "itip", 18),
        _Key("8010", "cpid", None, 30),
    )
}
# Alphabetic path names of the Digital Link 1.0 syntax, still met in the wild.
SHORT_NAMES = {
    "gtin": "01",
    "sscc": "00",
    "gln": "414",
    "party": "417",
    "grai": "8003",
    "giai": "8004",
    "gsrn": "8018",
    "gsrnp": "8017",
    "gdti": "253",
    "gcn": "255",
    "ginc": "401",
    "gsin": "402",
    "itip": "8006",
    "cpid": "8010",
    "cpv": "22",
    "lot": "10",
    "ser": "21",
}
# Key qualifiers allowed after each primary key, in Digital Link path order, with max length.
QUALIFIERS: dict[str, tuple[tuple[str, int], ...]] = {
    "01": (("22", 20), ("10", 20), ("21", 20), ("235", 28)),
    "8006": (("22", 20), ("10", 20), ("21", 20)),
    "414": (("254", 20),),
    "8010": (("8011", 12),),
}
# The finest qualifier kept in the canonical form (CBV 2.0 constrained canonical DL).
_FINEST = {"01": ("21", "235", "10"), "8006": ("21", "10"), "414": ("254",), "8010": ("8011",)}


@dataclass(frozen=True)
class Identifier:
    """A parsed GS1 identifier: a primary key and its key qualifiers (raw, unencoded values)."""

    ai: str
    key: str
    qualifiers: tuple[tuple[str, str], ...] = ()
    is_pattern: bool = False  # parsed from urn:epc:idpat (a class of instances)

    def qualifier(self, ai: str) -> str | None:
        return dict(self.qualifiers).get(ai)

    @property
    def scheme(self) -> str:
        """The EPC scheme name: sgtin, lgtin, gtin (a class), sscc, sgln, grai, ..."""
        if self.ai == "01":
            if self.qualifier("21") is not None:
                return "sgtin"
            if self.qualifier("235") is not None:
                return "upui"
            return "lgtin" if self.qualifier("10") is not None else "gtin"
        if self.ai == "414":
            return "sgln"
        if self.ai == "8010":
            return "cpi"
        if self.ai == "255":
            return "sgcn"
        return KEYS[self.ai].name

    @property
    def is_class(self) -> bool:
        """True for an identifier of a class of objects (a GTIN or a GTIN + lot)."""
        return self.scheme in ("gtin", "lgtin") or self.is_pattern

    @property
    def canonical(self) -> str:
        """The constrained canonical Digital Link (host id.gs1.org, finest level only)."""
        # Asked for several times per identifier during capture: kept once computed (in
        # the instance dict; functools.cached_property takes a lock on every read).
        try:
            return self.__dict__["_canonical"]
        except KeyError:
            self.__dict__["_canonical"] = value = self._canonical()
            return value

    def _canonical(self) -> str:
        path = f"/{self.ai}/{dl_encode(self.key)}"
        for ai in _FINEST.get(self.ai, ()):
            value = self.qualifier(ai)
            if value is not None:
                path += f"/{ai}/{dl_encode(value)}"
                break
        return CANONICAL_HOST + path

    def digital_link(self, host: str = CANONICAL_HOST) -> str:
        """A Digital Link URI with every qualifier, in standard path order, under ``host``."""
        path = f"/{self.ai}/{dl_encode(self.key)}"
        for ai, value in self.qualifiers:
            path += f"/{ai}/{dl_encode(value)}"
        return host.rstrip("/") + path

    @property
    def epc_class(self) -> str | None:
        """The canonical class: an SGTIN's GTIN, an LGTIN itself, a GRAI's asset type, ..."""
        if self.ai == "01":
            lot = self.qualifier("10")
            if lot is not None and self.qualifier("21") is None:
                return self.canonical
            return f"{CANONICAL_HOST}/01/{self.key}"
        if self.ai == "8006":
            return f"{CANONICAL_HOST}/8006/{self.key}"
        spec = KEYS[self.ai]
        if spec.digits and spec.extra_max:  # GRAI, GDTI, GCN: the type without the serial
            return f"{CANONICAL_HOST}/{self.ai}/{self.key[: spec.digits]}"
        return None

    def to_urn(self, company_prefix_length: int) -> str:
        """The EPC pure-identity URN (or EPC class URN for a lot or a GTIN pattern)."""
        n = company_prefix_length
        if not 6 <= n <= 12:
            raise IdentifierError("GS1 Company Prefix length must be 6 to 12")
        k = self.key
        ser = self.qualifier("21")
        if self.ai == "01":
            cp, ref = k[1 : 1 + n], k[0] + k[1 + n : 13]
            if ser is not None:
                return f"urn:epc:id:sgtin:{cp}.{ref}.{urn_encode(ser)}"
            if self.qualifier("235") is not None:
                return f"urn:epc:id:upui:{cp}.{ref}.{urn_encode(self.qualifier('235'))}"
            if self.qualifier("10") is not None:
                return f"urn:epc:class:lgtin:{cp}.{ref}.{urn_encode(self.qualifier('10'))}"
            return f"urn:epc:idpat:sgtin:{cp}.{ref}.*"
        if self.ai == "00":
            return f"urn:epc:id:sscc:{k[1 : 1 + n]}.{k[0]}{k[1 + n : 17]}"
        if self.ai in ("414", "417"):
            if self.ai == "417":
                return f"urn:epc:id:pgln:{k[:n]}.{k[n:12]}"
            ext = self.qualifier("254") or "0"
            return f"urn:epc:id:sgln:{k[:n]}.{k[n:12]}.{urn_encode(ext)}"
        if self.ai == "8003":
            return f"urn:epc:id:grai:{k[1 : 1 + n]}.{k[1 + n : 13]}.{urn_encode(k[14:])}"
        if self.ai == "253":
            return f"urn:epc:id:gdti:{k[:n]}.{k[n:12]}.{urn_encode(k[13:])}"
        if self.ai == "255":
            return f"urn:epc:id:sgcn:{k[:n]}.{k[n:12]}.{k[13:]}"
        if self.ai in ("8018", "8017"):
            return f"urn:epc:id:{KEYS[self.ai].name}:{k[:n]}.{k[n:17]}"
        if self.ai == "402":
            return f"urn:epc:id:gsin:{k[:n]}.{k[n:16]}"
        if self.ai in ("8004", "401"):
            return f"urn:epc:id:{KEYS[self.ai].name}:{k[:n]}.{urn_encode(k[n:])}"
        if self.ai == "8006":
            return (
                f"urn:epc:id:itip:{k[1 : 1 + n]}.{k[0]}{k[1 + n : 13]}.{k[14:16]}.{k[16:18]}"
                f".{urn_encode(ser or '')}"
            )
        if self.ai == "8010":
            return f"urn:epc:id:cpi:{k[:n]}.{urn_encode(k[n:])}.{self.qualifier('8011') or ''}"
        raise IdentifierError(f"no EPC URN for AI ({self.ai})")  # pragma: no cover


# --- validation -------------------------------------------------------------------------


def _fast_check_digit(body: str) -> str:
    """``gs1.check_digit`` for a body already known to be digits (the capture hot path)."""
    total = 3 * sum(map(int, body[-1::-2])) + sum(map(int, body[-2::-2]))
    return str((10 - total % 10) % 10)


def _check(digits: str, what: str) -> None:
    if not digits[:-1].isdigit() or _fast_check_digit(digits[:-1]) != digits[-1]:
        raise IdentifierError(
            f"bad check digit in {what} {digits}: expected {check_digit(digits[:-1])}"
        )


def _validate_key(ai: str, key: str, verify: bool) -> str:
    spec = KEYS[ai]
    if ai == "01" and len(key) in (8, 12, 13) and key.isdigit():
        key = key.zfill(14)  # GTIN-8/12/13 are written as GTIN-14 in canonical form
    if spec.digits:
        head, extra = key[: spec.digits], key[spec.digits :]
        if len(head) != spec.digits or not head.isdigit():
            raise IdentifierError(f"{spec.name.upper()} must start with {spec.digits} digits")
        if len(extra) > spec.extra_max:
            raise IdentifierError(f"{spec.name.upper()} is too long")
        if spec.numeric_extra and not extra.isdigit() and extra:
            raise IdentifierError(f"{spec.name.upper()} serial must be digits")
        if ai == "8003" and head[0] != "0":
            raise IdentifierError("GRAI must start with 0")
        if verify:
            _check(head[:14] if ai == "8006" else head, spec.name.upper())
    elif not key or len(key) > spec.extra_max:
        raise IdentifierError(f"{spec.name.upper()} must be 1 to {spec.extra_max} characters")
    if ai == "8010":
        if not _CSET39.match(key):
            raise IdentifierError("CPID allows only digits, capitals, '#', '-' and '/'")
    elif not _CSET82.match(key):
        raise IdentifierError(f"{spec.name.upper()} has characters outside GS1 set 82")
    return key


def _validate_qualifier(ai: str, qai: str, value: str) -> None:
    limits = dict(QUALIFIERS.get(ai, ()))
    if qai not in limits:
        raise IdentifierError(f"AI ({qai}) cannot qualify AI ({ai})")
    if not value or len(value) > limits[qai]:
        raise IdentifierError(f"AI ({qai}) value must be 1 to {limits[qai]} characters")
    if not _CSET82.match(value):
        raise IdentifierError(f"AI ({qai}) value has characters outside GS1 set 82")
    if qai == "8011" and not value.isdigit():
        raise IdentifierError("AI (8011) must be digits")


def _make(ai: str, key: str, quals: list[tuple[str, str]], verify: bool, **kw) -> Identifier:
    key = _validate_key(ai, key, verify)
    order = [q for q, _ in QUALIFIERS.get(ai, ())]
    seen = set()
    for qai, value in quals:
        _validate_qualifier(ai, qai, value)
        if qai in seen:
            raise IdentifierError(f"AI ({qai}) appears twice")
        seen.add(qai)
    if "21" in seen and "235" in seen:
        raise IdentifierError("AI (21) and AI (235) are mutually exclusive")
    if len(quals) > 1:
        quals = sorted(quals, key=lambda q: order.index(q[0]))
    return Identifier(ai, key, tuple(quals), **kw)


# --- EPC URNs ---------------------------------------------------------------------------

_URN_CHAR = r"(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9!'()*+,\-.:;=_])"
_URN = re.compile(r"^urn:epc:(id|idpat|class):([a-z]+):(.*)$")


def _unescape_urn(value: str, what: str) -> str:
    if not re.fullmatch(f"{_URN_CHAR}*", value):
        raise IdentifierError(f"invalid character in {what}")
    return unquote(value)


def _split(body: str, parts: int, scheme: str) -> list[str]:
    fields = body.split(".", parts - 1)
    if len(fields) != parts:
        raise IdentifierError(f"{scheme} URN needs {parts} dot-separated parts")
    if not (fields[0].isdigit() and 6 <= len(fields[0]) <= 12):
        raise IdentifierError(f"{scheme} URN: company prefix must be 6 to 12 digits")
    return fields


def _digits(value: str, length: int, what: str) -> str:
    if len(value) != length or not value.isdigit():
        raise IdentifierError(f"{what} must be {length} digits for this company prefix")
    return value


def _with_check(body: str) -> str:
    return body + (_fast_check_digit(body) if body.isdigit() else check_digit(body))


def _parse_urn(value: str) -> Identifier:
    m = _URN.match(value)
    if not m:
        raise IdentifierError("not an EPC URN")
    kind, scheme, body = m.groups()
    pattern = kind == "idpat"
    if kind == "class" and scheme != "lgtin":
        raise IdentifierError(f"unknown EPC class scheme {scheme}")
    star = pattern and body.endswith(".*")
    if pattern and not star:
        raise IdentifierError("only whole-class patterns (ending in .*) are supported")
    if scheme in ("sgtin", "lgtin", "upui", "itip"):
        parts = 5 if scheme == "itip" else 3
        if star:
            parts -= 1
            body = body[:-2]
        f = _split(body, parts, scheme)
        cp, ref = f[0], _digits(f[1], 13 - len(f[0]), "item reference")
        gtin = _with_check(ref[0] + cp + ref[1:])
        if scheme == "itip":
            piece, total = _digits(f[2], 2, "piece"), _digits(f[3], 2, "total")
            quals = [] if star else [("21", _unescape_urn(f[4], "serial"))]
            return _make("8006", gtin + piece + total, quals, False, is_pattern=pattern)
        if star:
            if scheme != "sgtin":
                raise IdentifierError(f"no pattern for {scheme}")
            return _make("01", gtin, [], False, is_pattern=True)
        qai = {"sgtin": "21", "lgtin": "10", "upui": "235"}[scheme]
        return _make("01", gtin, [(qai, _unescape_urn(f[2], "serial"))], False)
    if pattern and scheme not in ("grai", "gdti", "sgcn", "cpi"):
        raise IdentifierError(f"no pattern for {scheme}")
    if star:
        body = body[:-2]
    if scheme == "sscc":
        cp, ref = _split(body, 2, scheme)
        ref = _digits(ref, 17 - len(cp), "serial reference")
        return _make("00", _with_check(ref[0] + cp + ref[1:]), [], False)
    if scheme in ("sgln", "pgln", "grai", "gdti", "sgcn"):
        parts = 2 if scheme == "pgln" or star else 3
        f = _split(body, parts, scheme)
        cp, ref = f[0], _digits(f[1], 12 - len(f[0]), "reference") if f[1] or len(f[0]) < 12 else ""
        base = _with_check(cp + ref)
        extra = _unescape_urn(f[2], "serial") if parts == 3 else ""
        if scheme == "pgln":
            return _make("417", base, [], False)
        if scheme == "sgln":
            quals = [] if extra == "0" else [("254", extra)]
            return _make("414", base, quals, False)
        ai = {"grai": "8003", "gdti": "253", "sgcn": "255"}[scheme]
        return _make(ai, ("0" if ai == "8003" else "") + base + extra, [], False, is_pattern=star)
    if scheme in ("gsrn", "gsrnp", "gsin"):
        cp, ref = _split(body, 2, scheme)
        width = (16 if scheme == "gsin" else 17) - len(cp)
        ai = {"gsrn": "8018", "gsrnp": "8017", "gsin": "402"}[scheme]
        return _make(ai, _with_check(cp + _digits(ref, width, "reference")), [], False)
    if scheme in ("giai", "ginc"):
        cp, ref = _split(body, 2, scheme)
        ai = "8004" if scheme == "giai" else "401"
        return _make(ai, cp + _unescape_urn(ref, "reference"), [], False)
    if scheme == "cpi":
        if star:
            cp, ref = _split(body, 2, scheme)
            return _make("8010", cp + _unescape_urn(ref, "reference"), [], False, is_pattern=True)
        cp, rest = _split(body, 2, scheme)
        ref, _, serial = rest.rpartition(".")
        return _make("8010", cp + _unescape_urn(ref, "reference"), [("8011", serial)], False)
    raise IdentifierError(f"unknown EPC scheme {scheme}")


# --- Digital Link -----------------------------------------------------------------------


def _parse_digital_link(value: str, verify: bool) -> Identifier:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise IdentifierError("not an http(s) URI")
    segs = [s for s in parts.path.split("/")]
    while segs and segs[-1] == "":
        segs.pop()
    # The key may follow a custom path prefix: take the first key AI that leaves whole pairs.
    for i, seg in enumerate(segs):
        ai = SHORT_NAMES.get(seg, seg)
        if ai in KEYS and (len(segs) - i) % 2 == 0 and all(segs[i + 1 :]):
            break
    else:
        raise IdentifierError("no GS1 primary key in the URI path")
    pairs = [
        (SHORT_NAMES.get(segs[j], segs[j]), unquote(segs[j + 1])) for j in range(i, len(segs), 2)
    ]
    (ai, key), quals = pairs[0], pairs[1:]
    return _make(ai, key, quals, verify)


def parse(value: str, *, verify: bool = True) -> Identifier:
    """Parse an EPC URN or a GS1 Digital Link URI; raise :class:`IdentifierError` if invalid.

    ``verify=False`` skips check-digit verification of Digital Links (the event hash
    normalises what it is given and does not judge it).
    """
    if not isinstance(value, str):
        raise IdentifierError("an identifier must be a string")
    return _parse(value.strip(), verify)


# Capture parses each identifier several times (validation, event hash, normalisation,
# projection) and the same lots recur across events; parsing is pure and Identifier is
# immutable, so a bounded cache removes most of that work (benchmarks, docs/benchmarks.md).
# Invalid input raises and is never cached.
# The URNs met most in capture (an SGTIN per bag, an SSCC per case, an LGTIN per lot) in
# their plain form: digits, and a serial or lot needing no unescaping. Anything else, or any
# doubt, takes the general path; both give the same Identifier.
_PLAIN_URN = re.compile(
    r"urn:epc:(?:id:(sgtin|sscc)|class:(lgtin)):(\d{6,12})\.(\d+)(?:\.([A-Za-z0-9!'()*+,\-.:;=_]{1,20}))?"
)


def _fast_urn(value: str) -> Identifier | None:
    m = _PLAIN_URN.fullmatch(value)
    if m is None:
        return None
    scheme, lgtin, cp, ref, extra = m.groups()
    if scheme == "sscc":
        if extra is not None or len(cp) + len(ref) != 17:
            return None
        return Identifier("00", _with_check(ref[0] + cp + ref[1:]))
    if extra is None or len(cp) + len(ref) != 13:
        return None
    gtin = _with_check(ref[0] + cp + ref[1:])
    return Identifier("01", gtin, (("10" if lgtin else "21", extra),))


# The canonical Digital Links the store writes (and reads back in projection and queries).
_PLAIN_LINK = re.compile(
    r"https://id\.gs1\.org/(?:(01)/(\d{14})(?:/(10|21)/([A-Za-z0-9!'()*+,\-.:;=_]{1,20}))?"
    r"|(00)/(\d{18})|(41[47])/(\d{13}))"
)


def _fast_link(value: str, verify: bool) -> Identifier | None:
    m = _PLAIN_LINK.fullmatch(value)
    if m is None:
        return None
    gtin, qai, qvalue = m.group(2, 3, 4)
    ai, key = ("01", gtin) if gtin else m.group(5, 6) if m.group(5) else m.group(7, 8)
    if verify:
        _check(key, KEYS[ai].name.upper())
    return Identifier(ai, key, ((qai, qvalue),) if qai else ())


@lru_cache(maxsize=1 << 15)
def _parse(value: str, verify: bool) -> Identifier:
    if value.startswith("urn:epc:"):
        return _fast_urn(value) or _parse_urn(value)
    if value.startswith("https://id.gs1.org/"):
        return _fast_link(value, verify) or _parse_digital_link(value, verify)
    if value.startswith(("http://", "https://")):
        return _parse_digital_link(value, verify)
    raise IdentifierError("not an EPC URN or GS1 Digital Link URI")


def canonical(value: str) -> str:
    """The canonical form of an identifier (see the module docstring)."""
    return parse(value).canonical


def normalise(value: str) -> str:
    """The canonical form if ``value`` is a GS1 identifier, else ``value`` unchanged.

    For fields that may hold any URI (readPoint, source, bizTransaction ...).
    """
    if type(value) is str:
        return _normalise(value)
    try:
        return parse(value, verify=False).canonical
    except IdentifierError:
        return value


# The event hash, normalisation and projection ask for the canonical form of every
# identifier of every event; one cached lookup per string replaces a parse each time.
@lru_cache(maxsize=1 << 15)
def _normalise(value: str) -> str:
    try:
        return parse(value, verify=False).canonical
    except IdentifierError:
        return value


@lru_cache(maxsize=1 << 15)
def verdict(value: str) -> tuple[str, str, bool]:
    """How ``value`` fares as an identifier, for validation: ``(problem, reason, instance)``.

    ``problem`` is ``""`` for a valid GS1 identifier or for a URI that is not one (any URI
    may name an object), ``"identifier"`` for a malformed EPC URN and ``"check_digit"`` for
    a GS1 identifier that fails verification; ``reason`` says why. ``instance`` is True for
    a valid identifier of one instance (one that has a class but is not a class itself).
    Cached: capture asks once per identifier per event and identifiers recur.
    """
    try:
        ident = parse(value, verify=False)
    except IdentifierError as exc:
        return ("identifier" if value.startswith("urn:epc:") else "", str(exc), False)
    if not value.startswith("urn:epc:"):  # URNs carry no check digit to verify
        try:
            parse(value)
        except IdentifierError as exc:
            return ("check_digit", str(exc), False)
    return ("", "", not (ident.is_class or ident.epc_class is None))


def epc_class(value: str) -> str | None:
    """The canonical class of an identifier (MATCH_epcClass): SGTIN → GTIN, LGTIN → itself."""
    return parse(value).epc_class


def is_gs1(value: str) -> bool:
    """True when ``value`` parses as a GS1 identifier (check digits included)."""
    try:
        parse(value)
    except IdentifierError:
        return False
    return True


# --- builders for our own labels ---------------------------------------------------------


def _gtin14(gtin: str) -> str:
    return _validate_key("01", gtin, True)


def digital_link(
    gtin: str, lot: str | None = None, serial: str | None = None, host: str = CANONICAL_HOST
) -> str:
    """The Digital Link for a trade item, a lot or a serialised item, e.g. for a QR label."""
    quals = [(ai, v) for ai, v in (("10", lot), ("21", serial)) if v is not None]
    return _make("01", _gtin14(gtin), quals, True).digital_link(host)


def epc_urn(
    gtin: str, company_prefix_length: int, lot: str | None = None, serial: str | None = None
) -> str:
    """The EPC URN: SGTIN with a serial, LGTIN class with a lot, else an SGTIN pattern."""
    quals = [(ai, v) for ai, v in (("10", lot), ("21", serial)) if v is not None]
    return _make("01", _gtin14(gtin), quals, True).to_urn(company_prefix_length)
