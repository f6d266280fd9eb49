"""The policy file's JSON Schema, from the model itself, so editors check a file while staff type.

`swtalent schema` prints it; `schema/policy.schema.json` is the same text, kept current by a
test. A policy file points at it with its first line:
    # yaml-language-server: $schema=../schema/policy.schema.json
"""
from __future__ import annotations

import json

from .model import Policy


def policy_schema() -> dict:
    schema = Policy.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "swtalent policy", "description": "一个城市的社会工作人才补贴政策 / a city's social-work talent policy",
            **{k: v for k, v in schema.items() if k != "title"}}


def schema_text() -> str:
    return json.dumps(policy_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(schema_text(), end="")
