"""Policy files: the typed model and its loader."""
from .loader import load_policy, validate_policy
from .model import Condition, DatedAmount, LevelDef, MonthlyRule, OneOffRule, Policy

__all__ = ["Condition", "DatedAmount", "LevelDef", "MonthlyRule", "OneOffRule", "Policy", "load_policy", "validate_policy"]
