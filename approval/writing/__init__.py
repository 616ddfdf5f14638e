"""Writing helpers (issue 18, item 4): what makes a memo quicker to write and to re-read.

The parts:

* ``models.py``  -- ``MemoTemplate`` (table ``memo_template``): a category's ready text
  (subject, addressee, sections with or without titles, closing), per organisation;
  re-exported by :mod:`approval.models` so that one metadata (and Alembic) sees it.
* ``service.py`` -- the verbs: templates (create, update, delete; recorded in the admin log),
  a new memo's pre-filled fields (template, the writer's division, the chain's addressee),
  one's own division, the return notice shown above the edit form, the content snapshot
  kept in each submit event and the changes since the previous round.
* ``diff.py``    -- framework-free: a word-level Thai diff (``difflib`` over PyThaiNLP's
  ``newmm`` tokens, the engine the PDF's line breaker uses).
* ``views.py``   -- the pages: blueprint ``writing`` (the admin's templates, one's own
  division), registered by :func:`approval.web.register_web`.
* ``api.py``     -- ``GET /api/v1/memo-templates`` on the ``api`` blueprint.

Templates: ``templates/writing/`` (the admin pages, the template picker, the return notice
and the changes card, each a partial included by the memo pages).
"""

from .. import models as _models  # noqa: F401  (load approval.models first, as attachments does)
