"""Attachments (สิ่งที่ส่งมาด้วย): the files that go with a memo -- kept, listed, printed, sealed.

The parts:

* ``models.py``   -- ``Attachment`` (table ``attachment``); re-exported by :mod:`approval.models`
  so that one metadata (and Alembic) sees every table. ``Memo.attachments`` is its backref.
* ``sniff.py``    -- framework-free: the type of an upload decided from its content (PDF,
  PNG, JPEG, DOCX, XLSX, ODT, ODS, TXT, CSV), zip-bomb limits, PDFs with JavaScript refused,
  images re-encoded, safe file names and ``Content-Disposition``.
* ``storage.py``  -- where the bytes live: in the row (the default, as frozen PDFs) or,
  with ``ATTACHMENT_STORAGE = "files"`` (the default when ``STORAGE_DIR`` is set in the
  environment), content-addressed by SHA-256 under ``STORAGE_DIR/attachments``.
* ``service.py``  -- the verbs: add, rename, move, remove (soft once submitted); the
  print list, the seal recorded at the order, the integrity check, the merged print PDF.
* ``views.py``    -- the pages: blueprint ``attachments`` (upload, rename, move, remove,
  download, inline view, merged PDF), registered by :func:`approval.web.register_web`.
* ``api.py``      -- ``/api/v1/memos/<id>/attachments...`` on the ``api`` blueprint,
  imported by :func:`approval.api.register_api`.

Templates: ``templates/attachments/_list.html`` (the memo page), ``_manage.html`` (the
edit page), and the printed list in ``templates/pdf/memo.html``.
"""

from .. import models as _models  # noqa: F401  (load approval.models first, as plan_report does)
