"""Rule library: load and validate the YAML rule files, and identify which rules govern a node.

Rules are data (rules/*.yaml, schema rules/rule.schema.json). Identification is exact and version-exact:
a value either names a rule through its identifiers, or is explicitly sent to `review` by
rules/hub-licenses.yaml, or is unknown (also `review`). Nothing unknown is ever treated as permissive.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from licheck import resources
from licheck.domain import Clause, Deliverables, LicenseInfo, ModelNode, OwnModels, Rule
from licheck.errors import RuleError
from licheck.rules.files import NOT_RULE_FILES, line_of, rule_files, validate_text  # noqa: F401 (licheck.rules.ruleset.* API)


def _tuple(values: Any) -> tuple[str, ...]:
    return tuple(values or ())


def deliverables(c: dict[str, Any]) -> Deliverables | None:
    """A clause's `notice` / `attribution` / `ship_licence` / `name_prefix` / `recommends` keys (None: none)."""
    keys = ("notice", "attribution", "ship_licence", "name_prefix", "recommends")
    if not any(k in c for k in keys):
        return None
    notice, attribution, copy = c.get("notice") or {}, c.get("attribution") or {}, c.get("ship_licence")
    return Deliverables(
        notice=notice.get("text"),
        notice_file=notice.get("file", "NOTICE"),
        notice_upstream=bool(notice.get("upstream")),
        attribution=tuple(attribution.get("text") or ()),
        attribution_where=attribution.get("where", "documentation"),
        ship_licence=copy is not None,
        redistributable=bool((copy or {}).get("redistributable")),
        upstream_copy=bool((copy or {}).get("upstream_copy")),
        link_suffices=bool((copy or {}).get("link_suffices")),
        licence_source=(copy or {}).get("source"),
        name_prefix=c.get("name_prefix"),
        recommends=tuple(c.get("recommends") or ()),
    )


def rule_from_data(data: dict[str, Any], path: str | None = None, *, user: bool = False) -> Rule:
    clauses = []
    for c in data.get("clauses", []):
        clauses.append(
            Clause(
                id=c["id"],
                section=str(c["section"]),
                quote=" ".join(str(c["quote"]).split()),
                effect=c["effect"],
                channels=tuple(c["channels"]),
                methods=tuple(c["methods"]) if c.get("methods") else None,
                uses=tuple(c["uses"]) if c.get("uses") else None,
                when=tuple(
                    sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (c.get("when") or {}).items())
                ),
                obligation=c.get("obligation"),
                reason=c.get("reason"),
                flag=c.get("flag"),
                generic=bool(c.get("generic", False)),
                verification=c.get("verification", data["verification"]),
                url=c.get("url"),
                settle=c.get("settle"),
                flag_met=c.get("flag_met"),
                deliver=deliverables(c),
            )
        )
    ident = data.get("identifiers") or {}
    own = data.get("own_models")
    return Rule(
        id=data["id"],
        title=data["title"],
        version=str(data["version"]),
        kind=data["kind"],
        identifiers={k: _tuple(v) for k, v in ident.items()},
        source_url=data["source"]["url"],
        verification=data["verification"],
        clauses=tuple(clauses),
        family=data.get("family"),
        family_group=data.get("family_group"),
        licensor=data.get("licensor"),
        licensor_orgs=tuple(o.lower() for o in data.get("licensor_orgs") or ()),
        permissive=bool(data.get("permissive", False)),
        includes=_tuple(data.get("includes")),
        text_sha256=data.get("text_sha256"),
        path=path,
        examples=tuple(data.get("examples") or ()),
        overrides=_tuple(data.get("overrides")),
        origin=path if user else None,
        own_models=OwnModels(
            name=own["name"],
            section=str(own["section"]),
            quote=" ".join(str(own["quote"]).split()),
            ids=_tuple(own.get("ids")),
            licences=_tuple(own.get("licences")),
            unsettled=_tuple(own.get("unsettled")),
        )
        if own
        else None,
    )


# -- the rule set -----------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Identification:
    """What the licence metadata of one node resolved to."""

    groups: list[list[str]] = field(default_factory=list)  # OR of AND-groups of rule ids
    statements: list[str] = field(default_factory=list)  # rules bound to this repo id
    unresolved: list[str] = field(default_factory=list)  # values that named no rule (-> review)
    review: list[str] = field(default_factory=list)  # values sent to review by hub-licenses.yaml
    notes: list[str] = field(default_factory=list)
    disagreement: str | None = None
    missing: bool = False  # no licence declared at all

    @property
    def rule_ids(self) -> list[str]:
        out: list[str] = []
        for g in self.groups:
            out += [r for r in g if r not in out]
        return out


_SPDX_OPS_RE = re.compile(r"\s(AND|OR|WITH)\s|[()]", re.I)


class RuleSet:
    def __init__(self, rules: list[Rule], hub_map: dict[str, dict[str, str]] | None = None) -> None:
        self.rules: dict[str, Rule] = {}
        for r in rules:
            self.rules[r.id] = r  # later folders override earlier ones (--rules DIR)
        self.hub_map = {k.lower(): v for k, v in (hub_map or {}).items()}
        self._index()

    def _index(self) -> None:
        self.by_hub: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        self.by_spdx: dict[str, str] = {}
        self.links: list[tuple[str, str]] = []
        self.markers: list[tuple[str, str]] = []
        self.by_model: dict[str, list[str]] = {}
        self.model_patterns: list[tuple[str, str]] = []
        for r in self.rules.values():
            ident = r.identifiers
            for v in ident.get("hub", ()):
                self.by_hub[v.lower()] = r.id
            for v in ident.get("license_name", ()):
                self.by_name[v.lower()] = r.id
            for v in ident.get("spdx", ()) + ident.get("scancode", ()):
                self.by_spdx[v.lower()] = r.id
            for v in ident.get("license_link", ()):
                self.links.append((v.lower(), r.id))
            for v in ident.get("text_markers", ()):
                self.markers.append((" ".join(v.upper().split()), r.id))
            for v in ident.get("models", ()):
                if "*" in v:
                    self.model_patterns.append((v.lower(), r.id))
                else:
                    self.by_model.setdefault(v.lower(), []).append(r.id)
        self.links.sort(key=lambda t: -len(t[0]))
        self.markers.sort(key=lambda t: -len(t[0]))  # "... LICENSE AGREEMENT" before its prefix "... LICENSE"

    @property
    def version(self) -> str:
        h = hashlib.sha256()
        for rid in sorted(self.rules):
            r = self.rules[rid]
            h.update(json.dumps([r.id, r.version, r.text_sha256, [c.id for c in r.clauses]]).encode())
        return h.hexdigest()[:12]

    def get(self, rule_id: str) -> Rule | None:
        return self.rules.get(rule_id)

    def with_includes(self, rule_ids: list[str]) -> list[str]:
        out: list[str] = []
        stack = list(rule_ids)
        while stack:
            rid = stack.pop(0)
            if rid in out or rid not in self.rules:
                continue
            out.append(rid)
            stack.extend(self.rules[rid].includes)
        return out

    # -- identification ---------------------------------------------------------------------------------------
    def _one_value(self, value: str, info: LicenseInfo, ident: Identification) -> list[list[str]] | None:
        """Rule groups for one `license:` value; None when unresolved (recorded in ident)."""
        v = value.strip()
        low = v.lower()
        if low in ("other", "unknown"):
            via = self._via_name_link_marker(info)
            if via:
                ident.notes.append(f"license: {v} resolved through {via[1]}")
                return [[via[0]]]
            if low == "other" and not info.license_name:
                ident.unresolved.append("license: other without license_name")
            else:
                ident.unresolved.append(
                    f"license: {v}"
                    + (f" (license_name {info.license_name!r} not recognised)" if info.license_name else "")
                )
            return None
        if low in self.by_hub:
            return [[self.by_hub[low]]]
        if low in self.by_spdx:
            return [[self.by_spdx[low]]]
        if low in self.by_name:
            return [[self.by_name[low]]]
        if _SPDX_OPS_RE.search(v):
            groups = self._expression(v, info, ident)
            if groups is not None:
                return groups
        review = self.hub_map.get(low)
        if review and review.get("rule") and review["rule"] in self.rules:
            return [[review["rule"]]]
        if review and review.get("review"):
            ident.review.append(f"{v}: {review['review']}")
            return None
        if any(ord(ch) > 127 for ch in v):
            ident.unresolved.append(f"license: {v!r} (contains non-ASCII look-alike characters)")
        else:
            ident.unresolved.append(f"license: {v} (no rule for this licence)")
        return None

    def _expression(self, expr: str, info: LicenseInfo, ident: Identification) -> list[list[str]] | None:
        from license_expression import ExpressionError, Licensing

        try:
            parsed = Licensing().parse(expr, simple=False)
        except (ExpressionError, Exception):
            return None
        return self._expr_groups(parsed, info, ident)

    def _expr_groups(self, node: Any, info: LicenseInfo, ident: Identification) -> list[list[str]] | None:
        name = type(node).__name__
        if name in ("LicenseSymbol", "LicenseWithExceptionSymbol", "LicenseSymbolLike"):
            key = getattr(node, "license_symbol", node).key if name == "LicenseWithExceptionSymbol" else node.key
            if name == "LicenseWithExceptionSymbol":
                ident.notes.append(f"exception {node.exception_symbol.key} on {key} not evaluated")
            return self._one_value(key, info, ident)
        args = getattr(node, "args", None)
        if not args:
            return None
        parts = [self._expr_groups(a, info, ident) for a in args]
        if name == "AND":
            if any(p is None for p in parts):
                return None
            groups: list[list[str]] = [[]]
            for p in parts:
                groups = [g + h for g in groups for h in p]  # type: ignore[union-attr]
            return groups
        if name == "OR":
            ok = [p for p in parts if p is not None]
            if len(ok) != len(parts):
                return None  # an unknown alternative: cannot rank the choice
            return [g for p in ok for g in p]
        return None

    def _via_name_link_marker(self, info: LicenseInfo) -> tuple[str, str] | None:
        if info.license_name and info.license_name.lower() in self.by_name:
            return self.by_name[info.license_name.lower()], f"license_name {info.license_name}"
        if info.license_link:
            link = info.license_link.lower()
            for needle, rid in self.links:
                if needle in link:
                    return rid, f"license_link {info.license_link}"
        if info.gated_prompt_head:
            head = " ".join(info.gated_prompt_head.upper().split())
            for marker, rid in self.markers:
                if head.startswith(marker) or marker in head[: len(marker) + 20]:
                    return rid, "extra_gated_prompt heading"
        return None

    def identify(self, node: ModelNode) -> Identification:
        import fnmatch

        ident = Identification()
        low_id = node.id.lower()
        ident.statements = list(self.by_model.get(low_id, []))
        ident.statements += [
            rid for pat, rid in self.model_patterns if fnmatch.fnmatchcase(low_id, pat) and rid not in ident.statements
        ]
        info = node.license
        card_groups: list[list[str]] = []
        for v in info.card:
            g = self._one_value(v, info, ident)
            if g:
                card_groups = _and(card_groups, g)
        tag_groups: list[list[str]] = []
        for v in info.tags:
            if v.lower() in [c.lower() for c in info.card]:
                continue
            g = self._one_value(v, info, ident)
            if g:
                tag_groups = _and(tag_groups, g)
        if not info.card and not info.tags:
            via = self._via_name_link_marker(info)
            if via:
                card_groups = [[via[0]]]
                ident.notes.append(f"no license field; identified through {via[1]}")
            else:
                ident.missing = True
        prose_rules: list[str] = []
        for v in info.prose:
            scratch = Identification()
            g = self._one_value(v, info, scratch)
            if g and len(g) == 1:
                prose_rules += [r for r in g[0] if r not in prose_rules]
        if prose_rules and not set(prose_rules) <= set(_flat(card_groups) + _flat(tag_groups)):
            # The body names a licence the metadata does not: apply it too (most restrictive) and say so.
            ident.notes.append(f"card text states licence {', '.join(info.prose)}")
            meta = info.card or info.tags or "nothing"
            ident.disagreement = f"card metadata says {meta}, card text says {info.prose}"
            card_groups = _and(card_groups, [prose_rules]) if card_groups else [list(prose_rules)]
            if ident.missing:
                ident.missing = False
            ident.unresolved = [u for u in ident.unresolved if not u.startswith("license: other")]
        if card_groups and tag_groups and set(_flat(card_groups)) != set(_flat(tag_groups)):
            ident.disagreement = f"card says {info.card}, Hub tags say {info.tags}"
        if card_groups or tag_groups:
            ident.groups = _and(card_groups, tag_groups) if card_groups and tag_groups else (card_groups or tag_groups)
        if info.file:
            from licheck.rules.fingerprint import apply_file_match

            apply_file_match(self, info, ident)  # `license: other` (or none) read from the repo's LICENSE file
        bound_licences = [rid for rid in ident.statements if self.rules[rid].kind == "licence"]
        if bound_licences and (ident.unresolved or ident.missing):
            # `license: other` on a repo whose licence document is known by repo id (e.g. Kimi K2's modified MIT).
            ident.notes.append(f"licence identified by repository id: {', '.join(bound_licences)}")
            ident.unresolved = [u for u in ident.unresolved if not u.startswith(("license: other", "license: unknown"))]
            ident.missing = False
        ident.groups = [self.with_includes(g) for g in ident.groups]
        ident.statements = self.with_includes(ident.statements)
        return ident


def _flat(groups: list[list[str]]) -> list[str]:
    return [r for g in groups for r in g]


def _and(a: list[list[str]], b: list[list[str]]) -> list[list[str]]:
    if not a:
        return [list(g) for g in b]
    if not b:
        return [list(g) for g in a]
    return [list(dict.fromkeys(x + y)) for x in a for y in b]


# -- loading the library ----------------------------------------------------------------------------------------
def load_dir(directory: Path, *, user: bool = True) -> list[Rule]:
    """Every rule file of an organisation folder, validated (compiled once, see licheck.rules.compiled)."""
    from licheck.rules.compiled import bundle

    return [rule_from_data(d, d.get("_path"), user=user) for d in bundle(directory)["rules"]]


_VALUE_KINDS = ("hub", "license_name", "spdx", "scancode")  # all matched against a card's `license:` value
HUB_MAP_OWNER = "hub-licenses"  # the owner of rules/hub-licenses.yaml's spellings, for `overrides`


def check_overrides(built_in: list[Rule], user: list[Rule], hub_map: dict[str, Any]) -> None:
    """A user rule may add licences; reusing a rule id or an identifier some rule already has (a silent takeover
    of, say, `llama2`) needs `overrides: <that rule id>`. Raises RuleError naming the file and the identifier."""
    rules: dict[str, Rule] = {}
    values: dict[str, str] = {k.lower(): HUB_MAP_OWNER for k in hub_map}
    substrings: list[tuple[str, str, str]] = []  # (kind, normalised value, owner): links and gate headings

    def register(r: Rule) -> None:
        rules[r.id] = r
        for kind in _VALUE_KINDS:
            for v in r.identifiers.get(kind, ()):
                values[v.lower()] = r.id
        substrings.extend(("license_link", v.lower(), r.id) for v in r.identifiers.get("license_link", ()))
        substrings.extend(
            ("text_markers", " ".join(v.upper().split()), r.id) for v in r.identifiers.get("text_markers", ())
        )

    for r in built_in:
        register(r)
    for r in user:
        allowed = set(r.overrides)
        unknown = sorted(allowed - set(rules) - {HUB_MAP_OWNER})
        if unknown:
            raise RuleError(f"overrides {unknown} but no rule loaded before it has that id", path=r.path)

        def claim(what: str, owner: str, rule: Rule = r, ok: set[str] = allowed) -> None:
            if owner != rule.id and owner not in ok:
                raise RuleError(
                    f"{what} already belongs to rule {owner!r}; a rule that takes it over must say "
                    f"`overrides: [{owner}]`",
                    path=rule.path,
                )

        if r.id in rules and r.id not in allowed:
            raise RuleError(
                f"rule id {r.id!r} is already defined ({rules[r.id].path or 'built in'}); a rule that replaces it "
                f"must say `overrides: [{r.id}]`",
                path=r.path,
            )
        for kind in _VALUE_KINDS:
            for v in r.identifiers.get(kind, ()):
                if v.lower() in values:
                    claim(f"identifiers.{kind} {v!r}", values[v.lower()])
        for kind, norm in [("license_link", v.lower()) for v in r.identifiers.get("license_link", ())] + [
            ("text_markers", " ".join(v.upper().split())) for v in r.identifiers.get("text_markers", ())
        ]:
            for other_kind, other, owner in substrings:
                if other_kind == kind and (norm in other or other in norm):
                    claim(f"identifiers.{kind} {norm!r} (overlaps {other!r})", owner)
        register(r)


_DEFAULT: RuleSet | None = None


def load_rules(extra_dirs: list[Path] | None = None) -> RuleSet:
    """The packaged rules plus any organisation folders (later folders override rule ids)."""
    global _DEFAULT
    if not extra_dirs and _DEFAULT is not None:
        return _DEFAULT
    from licheck.rules.compiled import bundle

    packaged = bundle(resources.rules_dir(), packaged=True)
    rules = [rule_from_data(d, d.get("_path")) for d in packaged["rules"]]
    user: list[Rule] = []
    for d in extra_dirs or []:
        if not Path(d).is_dir():
            raise RuleError("rule folder not found", path=str(d))
        user += load_dir(Path(d))
    if user:
        check_overrides(rules, user, packaged.get("hub_map") or {})
    rules += user
    rs = RuleSet(rules, packaged.get("hub_map") or {})
    if not extra_dirs:
        _DEFAULT = rs
    return rs
