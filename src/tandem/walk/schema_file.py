"""The walk's JSON Schema, generated from the models and kept in the repo as ``schema/walk.schema.json``.

``python -m tandem.walk.schema_file`` rewrites the file; a test fails whenever the file and the models differ,
so a change to the contract is always a visible, reviewed change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tandem.walk.findings import WalkReport

SCHEMA_PATH = Path(__file__).parent / "schema" / "walk.schema.json"


def walk_schema() -> dict[str, Any]:
    schema = WalkReport.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Tandem walk"
    return schema


def render_schema() -> str:
    return json.dumps(walk_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    SCHEMA_PATH.write_text(render_schema(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
