"""SQLAlchemy models, one module per aggregate."""

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
from .plan import PlanProject, PlanReport
from .search import MemoSearch
from .security import SecurityEvent
from .user import READ_ALL_ROLES, ROLE_LABELS, ApiToken, Role, User

__all__ = [
    "DEFAULT_SETTINGS", "READ_ALL_ROLES", "ROLE_LABELS", "ApiToken", "ChainStep", "Decision", "Event", "Memo",
    "MemoDocument", "MemoSearch", "MemoState", "NumberCounter", "Organization", "PlanProject", "PlanReport",
    "Role", "SecurityEvent", "Step", "StepDecision", "StepKind", "StepStatus", "User",
]
