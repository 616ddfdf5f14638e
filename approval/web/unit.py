"""The pages' unit of work: run a service, commit once, or roll back and tell the person why."""

from __future__ import annotations

from typing import Self

from flask import flash

from ..errors import DomainError
from ..extensions import db
from ..services import security_log
from ..transaction import commit


class Attempt:
    """Run the block's service calls and commit; a domain error is rolled back and flashed.

    ``with attempt() as work: service(...)`` then ``if work.failed: return <the form again>``
    with ``work.error.fields`` and ``work.error.status``. A race lost at commit time is a
    Conflict (409) like any other refusal. Other exceptions roll back and propagate.
    """

    def __init__(self, *, flash_error: bool = True, category: str = "danger"):
        self.error: DomainError | None = None
        self._flash, self._category = flash_error, category

    @property
    def failed(self) -> bool:
        """True when the block or its commit was refused."""
        return self.error is not None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None:
            try:
                commit(db.session)
                return False
            except DomainError as refused:
                exc = refused
        db.session.rollback()
        if not isinstance(exc, DomainError):
            return False
        self.error = exc
        security_log.record_refusal(exc)  # out of turn, forbidden, ...: recorded, rolled back
        if self._flash:
            flash(exc.message, self._category)
        return True


def attempt(*, flash_error: bool = True, category: str = "danger") -> Attempt:
    """``with attempt() as work:`` -- see :class:`Attempt`."""
    return Attempt(flash_error=flash_error, category=category)
