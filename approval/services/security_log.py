"""The security log: every refused attempt, one structured line each (and, soon, a table).

Interface shared by the pages, the API and the services; see issue "Hardening": failed
logins, throttled logins, failed signing confirmations, out-of-turn 403/409, another
organisation's 404, CSRF failures. Today it writes one JSON line to the ``approval.security``
logger; the table an admin reads is added behind this same function.
"""

from __future__ import annotations

import json
import logging

log = logging.getLogger("approval.security")

#: The kinds of refused attempt recorded.
KINDS = frozenset({
    "login_failed", "login_throttled", "confirmation_failed", "confirmation_throttled",
    "not_your_turn", "invalid_transition", "forbidden", "not_found", "csrf", "session_ended",
})


def record(kind: str, reason: str = "", *, user=None, organization_id: int | None = None,
           username: str | None = None, address: str | None = None, route: str | None = None) -> None:
    """Record one refused attempt; never raises (a failing log must not turn a 403 into a 500)."""
    try:
        if user is not None and organization_id is None:
            organization_id = getattr(user, "organization_id", None)
        line = {"kind": kind, "reason": reason, "user_id": getattr(user, "id", None),
                "organization_id": organization_id, "username": username, "address": address,
                "route": route}
        log.warning(json.dumps(line, ensure_ascii=False, sort_keys=True))
    except Exception:
        log.exception("security log failed")
