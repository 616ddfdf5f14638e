"""Everyone's work, and telling them: notifications in the app, by e-mail and LINE, and
reminders on Thai working days.

The parts:

* ``models.py``    -- ``Notification`` (what the bell shows), ``Delivery`` (the outbox: one
  message on one channel, its id the idempotence key), ``NotificationSettings`` (per user),
  ``DayOff`` (the organisation's own days off); re-exported by :mod:`approval.models`.
* ``workdays.py``  -- working days: weekends, Thai public holidays (``holidays.TH``, names
  in Thai) and the organisation's days off.
* ``service.py``   -- the verbs: :func:`on_transition` (called by ``services.memos.act`` right
  after the chain moves, so the notifications share its transaction), read / read-all,
  settings, days off, the admin's retry of a dead delivery.
* ``reminders.py`` -- :func:`queue_reminders` (``flask remind`` and the periodic task) and the
  daily digests.
* ``delivery.py``  -- sending one delivery exactly once: claim, send (SMTP / LINE Messaging
  API push), mark; backoff and dead letters.
* ``queue.py``     -- the job queue (Huey: SQLite storage under ``instance/`` by default,
  Redis with ``HUEY_URL=redis://...``), its tasks and periodic tasks, the enqueue after commit.
* ``cli.py``       -- ``flask notify-worker [--once]`` and ``flask remind``.
* ``views.py``     -- pages (blueprint ``notifications``): the list under the bell, the
  settings under the profile, the admin's deliveries (dead letters) and days off.
* ``api.py``       -- ``/api/v1/notifications...`` and ``/api/v1/me/notification-settings``
  on the ``api`` blueprint; ``openapi.py`` describes them.

The inbox itself (what waits for whom) is a memo query: ``approval.services.memos.inbox_*``.
"""

# approval.models re-exports this package's models, and they build on approval.models.base:
# load approval.models first, so that importing approval.notifications.models on its own works.
from .. import models as _models  # noqa: F401


def init_app(app) -> None:
    """Settings (from the environment unless given), the enqueue-after-commit hooks, the commands."""
    from .cli import register_cli
    from .queue import install_session_hooks
    from .settings import load_settings

    for key, value in load_settings(app.config.get("APP_ENV", "development")).items():
        app.config.setdefault(key, value)
    install_session_hooks()
    register_cli(app)
