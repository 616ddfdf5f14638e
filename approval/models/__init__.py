"""SQLAlchemy models, one module per aggregate.

The plan report's models live in its own package (:mod:`approval.plan_report.models`) and are
re-exported here so that the metadata (and Alembic) sees every table.
"""

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
from .organization import DEFAULT_SETTINGS, ChainStep, Organization, StepKind

# Imported where the old .plan module was, so that the tables keep their order in the metadata.
from ..plan_report.models import PlanProject, PlanReport  # isort: skip
from .search import MemoSearch
from .user import READ_ALL_ROLES, ROLE_LABELS, ApiToken, Role, User

__all__ = [
    "DEFAULT_SETTINGS", "READ_ALL_ROLES", "ROLE_LABELS", "ApiToken", "Appointment", "AppointmentKind", "AuditCheckpoint", "ChainStep", "Decision", "Event", "Memo",
    "MemoDocument", "MemoSearch", "MemoState", "NumberCounter", "Organization", "PlanProject", "PlanReport",
    "Role", "SignatureImage", "Step", "StepDecision", "StepKind", "StepStatus", "User",
]
