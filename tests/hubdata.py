"""Load tests/fixtures/hub_records.yaml (real recorded metadata) into the fake Hub."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

RECORDS = {
    r["id"]: r for r in yaml.safe_load((Path(__file__).parent / "fixtures" / "hub_records.yaml").read_text("utf-8"))
}


def readme(card: dict[str, Any], body: str) -> str:
    head = ("---\n" + yaml.safe_dump(card, sort_keys=False, allow_unicode=True) + "---\n") if card else ""
    return head + "\n" + body + "\n"


def load(hub: Any, *ids: str, files: dict[str, str] | None = None) -> dict[str, str]:
    """Serve the named records (default: all); returns id -> sha."""
    shas = {}
    for rid in ids or list(RECORDS):
        r = RECORDS[rid]
        kw: dict[str, Any] = {"card_data": r.get("card_data") or {}}
        if r.get("tags") is not None:
            kw["tags"] = r["tags"]
            kw["auto_tags"] = False
        if r.get("sha"):
            kw["sha"] = r["sha"]
        if r.get("body"):
            kw["readme"] = readme(kw["card_data"], r["body"])
        kw["files"] = {name: (files or {}).get(name, "") for name in r.get("files") or []} or None
        if rid.startswith("datasets/"):
            shas[rid] = hub.add_dataset(rid[len("datasets/") :], **kw)
        else:
            shas[rid] = hub.add_model(rid, **kw)
    return shas
