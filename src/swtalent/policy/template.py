"""The commented policy file `swtalent new-policy` writes; a test checks that it validates.

template.yaml has Chinese comments, template.en.yaml (--lang en) the same file with English ones:
the keys and values are the same (a test holds them so), since a city's policy names its levels,
categories and titles as its Chinese documents do."""
from __future__ import annotations

from importlib import resources


def template_text(city: str, policy_id: str = "new-city", schema: str = "../schema/policy.schema.json",
                  lang: str = "zh") -> str:
    name = "template.en.yaml" if lang == "en" else "template.yaml"
    text = (resources.files(__package__) / name).read_text(encoding="utf-8")
    return text.format(city=city, id=policy_id, schema=schema)
