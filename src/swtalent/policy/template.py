"""The commented policy file `swtalent new-policy` writes; a test checks that it validates."""
from __future__ import annotations

from importlib import resources


def template_text(city: str, policy_id: str = "new-city", schema: str = "../schema/policy.schema.json") -> str:
    text = (resources.files(__package__) / "template.yaml").read_text(encoding="utf-8")
    return text.format(city=city, id=policy_id, schema=schema)
