"""SQLAlchemy models, one module per aggregate.

The plan report's models live in its own package (:mod:`approval.plan_report.models`) and are
re-exported here so that the metadata (and Alembic) sees every table.
"""

from . import tenancy  # noqa: F401  the flush hook that fills organization_id
from .appointment import Appointment, AppointmentKind
from .audit import AuditCheckpoint, SignatureImage
from .memo import (
    Decision,
    Event,
    Memo,
    MemoDocument,
    MemoState,
    NumberCounter,
    Step,
    StepDecision,
    StepStatus,
)
from .organization import (
    DEFAULT_SETTINGS,
    Chain,
    ChainStep,
    ChainVersion,
    Organization,
    StepKind,
)

# Imported where the old .plan module was, so that the tables keep their order in the metadata.
from ..plan_report.models import PlanProject, PlanReport  # isort: skip
from ..attachments.models import Attachment  # isort: skip
from .search import MemoSearch
from .security import SecurityEvent
from .session import LoginThrottle, UserSession
from .user import READ_ALL_ROLES, ROLE_LABELS, ApiToken, Role, User

__all__ = [
    "DEFAULT_SETTINGS", "READ_ALL_ROLES", "ROLE_LABELS", "ApiToken", "Appointment", "AppointmentKind", "Attachment", "AuditCheckpoint", "Chain", "ChainStep", "ChainVersion", "Decision", "Event", "LoginThrottle", "Memo",
    "MemoDocument", "MemoSearch", "MemoState", "NumberCounter", "Organization", "PlanProject", "PlanReport",
    "Role", "SecurityEvent", "SignatureImage", "Step", "StepDecision", "StepKind", "StepStatus", "User", "UserSession",
]

# The notifications' tables (approval.notifications.models), seen by the same metadata.
from ..notifications.models import DayOff, Delivery, Notification, NotificationSettings  # noqa: F401  isort: skip
# The signatures' tables (approval/signatures/models.py), registered with the same metadata.
from ..signatures import models as _signature_models  # noqa: F401

# The writing helpers' memo templates (approval/writing/models.py), with the same metadata.
from ..writing.models import MemoTemplate  # noqa: F401  isort: skip

# The name of the chain a memo took, read with the memo itself (the memo page shows it; a
# separate query for it would cost every memo view one more round trip).
import sqlalchemy as _sa  # isort: skip
from sqlalchemy.orm import column_property as _column_property  # isort: skip

Memo.chain_name = _column_property(
    _sa.select(Chain.name).where(Chain.id == Memo.chain_id).correlate_except(Chain).scalar_subquery()
)
