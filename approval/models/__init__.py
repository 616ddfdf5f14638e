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
from .session import LoginThrottle, UserSession
from .user import READ_ALL_ROLES, ROLE_LABELS, ApiToken, Role, User

__all__ = [
    "DEFAULT_SETTINGS", "READ_ALL_ROLES", "ROLE_LABELS", "ApiToken", "ChainStep", "Decision", "Event", "LoginThrottle", "Memo",
    "MemoDocument", "MemoSearch", "MemoState", "NumberCounter", "Organization", "PlanProject", "PlanReport",
    "Role", "Step", "StepDecision", "StepKind", "StepStatus", "User", "UserSession",
]
