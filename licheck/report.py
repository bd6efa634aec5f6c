"""The JSON documents of an audit and a chain (stable key names other tools read); every format renders them."""

from __future__ import annotations

import json
import time
from typing import Any

from licheck import SCHEMA_VERSION, __version__
from licheck.domain import Graph, Verdict


def chain_json(graph: Graph, sources: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "root": graph.root,
        "graph": graph.to_json(),
        "warnings": graph.warnings,
        "sources": sources,
    }


def audit_json(v: Verdict, sources: dict[str, Any], rules_version: str) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "rules_version": rules_version,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "query": v.plan.to_json(),
        "verdict": v.verdict,
        "obligations": v.obligations,
        "open_questions": v.open_questions,
        "findings": [f.to_json() for f in v.findings],
        "flags": v.flags,
        "graph": v.graph.to_json(),
        "root": v.graph.root,
        "warnings": v.graph.warnings,
        "sources": sources,
    }


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False)
