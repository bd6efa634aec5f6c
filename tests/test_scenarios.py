"""Golden scenarios: every scenario of fixtures/scenarios-dev.yaml through the CLI against the fake Hub."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from licheck import resources
from tests.scenario_hub import audit_args, expected_verdict, serve

AUDIT_SCHEMA = __import__("json").loads(
    (resources.data_dir().parent / "schemas" / "audit.schema.json").read_text(encoding="utf-8")
)

SCENARIOS = yaml.safe_load((Path(__file__).parent / "fixtures" / "scenarios-dev.yaml").read_text(encoding="utf-8"))
EXIT = {"permitted": 0, "conditional": 0, "forbidden": 1, "review": 3}


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
def test_scenario(sc, hub_env, cli):
    serve(hub_env, sc)
    res = cli(*audit_args(sc))
    doc = res.json()
    import jsonschema

    jsonschema.validate(doc, AUDIT_SCHEMA)
    want = expected_verdict(sc)
    reasons = [
        (f["effect"], f["rule"], f["clause"], f["reason"][:100])
        for f in doc["findings"]
        if f["effect"] in ("forbid", "review", "obligation")
    ]
    assert doc["verdict"] == want, reasons
    assert res.exit_code == EXIT[want]
    # Every non-permitted verdict is explained by at least one finding with a quote or a reason.
    if want != "permitted":
        assert any(f["effect"] in ("forbid", "review", "obligation") for f in doc["findings"])
    if "license_drift" in sc.get("expected_flags", []):
        assert "license_drift" in doc["flags"]
    for f in doc["findings"]:
        if f["clause"]:
            assert f["quote"] and f["url"], f
