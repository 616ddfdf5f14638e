"""The plan report: the anti-corruption action plan progress report (e-PlanNACC format)
attached to a memo -- its projects, the tables computed from them, the pages that edit it,
its import and export, its API and its printed attachment.

The parts:

* ``models.py``   -- ``PlanReport`` and ``PlanProject`` (tables ``plan_report``,
  ``plan_project``); re-exported by :mod:`approval.models` so that one metadata (and
  Alembic) sees every table.
* ``compute.py``  -- pure, framework-free computation on Decimals: the tables per
  dimension, the status summary, the warnings, the print context.
* ``io.py``       -- the project list as CSV, XLSX and JSON rows: validation, import,
  export (framework-free).
* ``service.py``  -- the verbs: attach, edit and validate a memo's report; its summary and
  print context; the reference report of the demo.
* ``forms.py``    -- the header and import forms of the pages.
* ``views.py``    -- the pages: blueprint ``plans`` (``plans.show``, ``plans.save``,
  ``plans.import_file``, ``plans.export``), registered by :func:`approval.web.register_web`.
* ``api.py``      -- ``GET``/``PUT /api/v1/memos/<id>/plan-report`` on the ``api``
  blueprint, imported by :func:`approval.api.register_api`; the JSON shapes are in
  ``approval/api/serializers.py`` (``report``, ``project``) and ``approval/api/openapi.py``.
* ``demo.py`` and ``plan-2567-round6-projects.csv`` -- the reference memo's report
  (fiscal year 2567, round 6, 49 projects).

Templates stay in the application's template folder: ``templates/plans/report.html``,
``templates/plans/_summary.html`` (also shown on the memo page), ``templates/plans/_row.html``
and the printed attachment ``templates/pdf/_plan_report.html`` (included by
``templates/pdf/memo.html``; its tables are laid out by the generic ``approval/pdf/grid.py``).
"""

# approval.models re-exports this package's models, and they build on approval.models.base:
# load approval.models first, so that importing approval.plan_report.models on its own works.
from .. import models as _models  # noqa: F401
