"""Where an award's score comes from: judges' score sheets, service records, weighted parts."""
from .compute import RuleScores, score_awards
from .sheet import read_scores

__all__ = ["RuleScores", "read_scores", "score_awards"]
