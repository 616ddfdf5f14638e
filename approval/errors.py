"""Domain errors: raised by services and the workflow, mapped to HTTP by web and API."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal with a Thai message for a person and a stable code for programs."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidTransition(DomainError):
    status, code = 409, "invalid_transition"


class NotYourTurn(DomainError):
    status, code = 403, "not_your_turn"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class ConfirmationFailed(DomainError):
    status, code = 403, "confirmation_failed"


class NotFound(DomainError):
    status, code = 404, "not_found"


class ValidationFailed(DomainError):
    status, code = 422, "validation_error"


class VersionMismatch(DomainError):
    status, code = 412, "version_mismatch"


class Conflict(DomainError):
    """A lost race: someone else changed the same data first (stale version, duplicate, lock).

    Its own code, so that a client can tell a race (load again and retry) from a move the
    rules refuse (``invalid_transition``).
    """

    status, code = 409, "conflict"
