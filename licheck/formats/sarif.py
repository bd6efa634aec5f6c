"""SARIF 2.1.0 log for code-scanning dashboards (GitHub code scanning and other SARIF consumers).

Why SARIF: CI systems already collect, deduplicate and triage SARIF results. Each licence clause is a rule
("RULE/CLAUSE") whose description is the verbatim clause; each forbid/review/obligation finding is a result
pointing at the artifact that caused it (a card or licheck.yaml line when known, else the model's Hub page).
`partialFingerprints` hash only stable facts (rule, clause, node, path), so the same finding keeps its identity
across runs and alerts are not reopened.
"""

from __future__ import annotations

from typing import Any

from licheck.formats import _common as c

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"forbid": "error", "review": "warning", "obligation": "note"}
FINGERPRINT_KEY = "licheckFinding/v1"


def _rule(f: c.Finding) -> dict[str, Any]:
    """A reportingDescriptor for one licheck rule + clause (or one kind of licheck data finding)."""
    rid = c.rule_id(f)
    rule_name = str(f.get("rule") or "licheck")
    meta = c.rule_meta().get(rule_name)
    if f.get("clause") and (meta or rule_name not in c.NON_LICENCE_RULES):
        title = meta.title if meta else rule_name
        section = f" section {f['section']}" if f.get("section") else ""
        short = f"{title}{section} ({f['clause']})"
        full = str(f.get("quote") or f.get("reason") or short)
    elif f.get("clause"):  # a repository or policy finding of `licheck check`
        flag = str(f.get("flag") or "")
        short = c.TOOL_FLAGS.get(flag) or f"licheck {rule_name}: {str(f['clause']).replace('-', ' ')}"
        full = short
    else:
        flag = str(f.get("flag") or "finding")
        short = c.TOOL_FLAGS.get(flag, f"licheck: {flag.replace('_', ' ')}")
        full = short
    out: dict[str, Any] = {
        "id": rid,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
    }
    url = f.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        out["helpUri"] = url
        out["help"] = {"text": f"{full}\n\nSource: {url}", "markdown": _help_markdown(full, url)}
    tags = ["licheck", rule_name] if rule_name in c.NON_LICENCE_RULES else ["licence"]
    if f.get("flag"):
        tags.append(str(f["flag"]))
    out["properties"] = {"tags": list(dict.fromkeys(tags)), "rule": rule_name}
    if f.get("clause"):
        out["properties"]["clause"] = f["clause"]
        if f.get("section"):
            out["properties"]["section"] = f["section"]
    return out


def _help_markdown(quote: str, url: str) -> str:
    from licheck.formats.markdown import inline, link

    return "\n".join("> " + inline(line) for line in quote.splitlines() if line.strip()) + f"\n\nSource: {link(url)}"


def _result(f: c.Finding, doc: c.Doc, rule_index: int, nodes: dict[str, c.Node]) -> dict[str, Any]:
    uri, line = c.finding_location(f, nodes, doc)
    physical: dict[str, Any] = {"artifactLocation": {"uri": c.as_uri_reference(uri)}}
    if line:
        physical["region"] = {"startLine": line}
    q = doc.get("query") or {}
    path = [str(p) for p in f.get("path") or []]
    props: dict[str, Any] = {
        "effect": f.get("effect"),
        "node": f.get("node"),
        "path": path,
        "teacher": q.get("teacher"),
        "student": q.get("student"),
        "verdict": doc.get("verdict"),
    }
    for key in ("channel", "flag", "section", "url"):
        if f.get(key):
            props[key] = f[key]
    if f.get("triggered_by"):
        props["triggeredBy"] = list(f["triggered_by"])
    if f.get("violation"):
        props["violation"] = True
    if doc.get("path"):
        props["checkedFile"] = doc["path"]
    if f.get("quote"):
        props["quote"] = f["quote"]
    out: dict[str, Any] = {
        "ruleId": c.rule_id(f),
        "ruleIndex": rule_index,
        "level": LEVELS[str(f.get("effect"))],
        "message": {"text": str(f.get("reason") or c.rule_id(f))},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [
                    {"name": str(f.get("node")), "fullyQualifiedName": " > ".join(path) or str(f.get("node"))}
                ],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: c.fingerprint(f)},
        "properties": props,
    }
    waiver = f.get("waiver")
    if isinstance(waiver, dict):
        # Waived, never hidden: SARIF consumers show it as an accepted (dismissed) alert with the justification.
        out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": c.waiver_text(waiver)}]
    return out


def render(docs: list[c.Doc]) -> str:
    """One run holding every document's results (a `licheck check` over many plans is one analysis)."""
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    seen: dict[str, tuple[str, str, str, bool]] = {}
    audits: list[dict[str, Any]] = []
    for doc in docs:
        nodes = c.merged_nodes([doc])
        for f in list(doc.get("findings") or []) + list(doc.get("waived") or []):
            if f.get("effect") not in LEVELS:
                continue
            rid = c.rule_id(f)
            if rid not in index:
                index[rid] = len(rules)
                rules.append(_rule(f))
            res = _result(f, doc, index[rid], nodes)
            fp = res["partialFingerprints"][FINGERPRINT_KEY]
            same = (
                res["level"],
                res["message"]["text"],
                res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                "suppressions" in res,
            )
            if fp in seen:
                if seen[fp] == same:
                    continue  # the same finding reached through another plan: one alert
                n = 2
                while f"{fp}:{n}" in seen:
                    n += 1
                fp = f"{fp}:{n}"
                res["partialFingerprints"][FINGERPRINT_KEY] = fp
            seen[fp] = same
            results.append(res)
        q = doc.get("query") or {}
        audits.append(
            {
                "teacher": q.get("teacher"),
                "student": q.get("student"),
                "plan": c.audit_label(doc),
                "verdict": doc.get("verdict"),
                "obligations": [o.get("text") for o in doc.get("obligations") or []],
                "rulesVersion": doc.get("rules_version"),
            }
        )
    first = docs[0] if docs else {}
    version = str(first.get("tool_version") or "0")
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "licheck",
                "version": version,
                "semanticVersion": version,
                "rules": rules,
            }
        },
        "invocations": [{"executionSuccessful": True, "endTimeUtc": c.generated_at(docs)}],
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {"audits": audits, "disclaimer": c.DISCLAIMER},
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return c.dumps(log)
