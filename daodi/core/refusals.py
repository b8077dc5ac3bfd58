"""Keeping the attempts that compliance rules refuse (see ``models.Refusal``).

A refused action writes nothing, in a transaction that is rolled back; the attempt is kept
after that, in a write of its own, by wrapping the action::

    @refusals.kept({"banned_pesticide"}, about=lambda plot, **_: (plot.holder, plot.name))
    @transaction.atomic
    def record_activity(*, actor, plot, ...): ...

Inside a caller's larger transaction (an import refused as a whole) the entry goes with
it, as everything else of that transaction does.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Collection

from .errors import DomainError

logger = logging.getLogger(__name__)


def kept(codes: Collection[str], *, about: Callable[..., tuple]) -> Callable:
    """Record a DomainError with one of ``codes`` raised by the wrapped action, then raise it
    again. ``about(**kwargs)`` gives the (organisation or its id, subject text) it concerns."""

    def wrap(action):
        @functools.wraps(action)
        def run(*, actor, **kwargs):
            try:
                return action(actor=actor, **kwargs)
            except DomainError as exc:
                if exc.code in codes:
                    try:
                        organisation, subject = about(**kwargs)
                        record(actor, exc, organisation, subject)
                    except Exception:  # the user still gets the refusal, not this
                        logger.exception("could not keep the refused attempt %s", exc.code)
                raise

        return run

    return wrap


def record(actor, exc: DomainError, organisation, subject: str):
    from .models import Refusal

    user = getattr(actor, "user", None)
    return Refusal.objects.create(
        actor=user if getattr(user, "pk", None) else None,
        channel=getattr(actor, "channel", "")[:10],
        organisation_id=getattr(organisation, "pk", organisation),
        code=exc.code,
        subject=str(subject)[:200],
        message=str(exc.message),
    )
