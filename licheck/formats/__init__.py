"""Procurement and CI output formats built from licheck's JSON documents (audit_json / check results)."""

from __future__ import annotations

from typing import Any

from licheck.errors import UsageError


def render(fmt: str, docs: list[dict[str, Any]]) -> str:
    """Render one or more audit JSON documents (report.audit_json) in `fmt`."""
    raise UsageError(f"--format {fmt} is not available yet")
