"""Evidence as short human phrases, shared by the text and Markdown reports."""

from __future__ import annotations

from typing import Any


def describe(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict) and "name" in value:  # a person: every figure shown, none dropped
        details = [str(value.get("id"))]
        details += [
            f"{key.replace('_', ' ')} {describe(figure)}"
            for key, figure in value.items()
            if key not in ("id", "name", "title", "active") and figure is not None
        ]
        details += [value["title"]] if value.get("title") else []
        details += ["inactive"] if value.get("active") is False else []
        return f"{value['name']} ({', '.join(details)})"
    if isinstance(value, dict) and "title" in value:  # a record, e.g. a decision: its title, then its figures
        figures = ", ".join(f"{k.replace('_', ' ')} {describe(v)}" for k, v in value.items() if k != "title")
        return f"{value['title']} ({figures})"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {describe(v)}" for k, v in value.items())
    if isinstance(value, list | tuple) and value and all(isinstance(v, dict) for v in value):
        return "\n".join(describe(v) for v in value)  # one record a line
    if isinstance(value, list | tuple):
        return ", ".join(describe(v) for v in value) or "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def evidence_lines(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    return [(key.replace("_", " "), describe(value)) for key, value in evidence.items()]
