"""Entry point. Answers `licheck audit ... --format json` without importing typer or rich.

A warm audit (everything in the cache or the snapshot) is meant to take less time than importing
huggingface_hub, so the common machine-readable invocation skips the CLI framework. The flags are read
strictly; anything this parser does not fully understand (help, text output, an unknown or malformed flag)
goes to the full Typer CLI, which then owns the error message. Both paths call the same library.
"""

from __future__ import annotations

import sys

_INTS = {"mau", "monthly_revenue", "annual_revenue", "max_depth"}
_AUDIT = {
    "values": {
        "--student": "student",
        "--use": "use",
        "--method": "method",
        "--mau": "mau",
        "--monthly-revenue": "monthly_revenue",
        "--annual-revenue": "annual_revenue",
        "--format": "format",
        "--revision": "revision",
        "--max-depth": "max_depth",
        "--rules": "rules",
        "--time-budget": "time_budget",
    },
    "bools": {
        "--internal": ("internal", True),
        "--offline": ("offline", True),
        "--refresh": ("refresh", True),
        "--eu": ("eu", True),
        "--no-eu": ("eu", False),
    },
    "choices": {
        "use": {"commercial", "research", "non-commercial"},
        "method": {"outputs", "logits", "weights"},
        "format": {"json"},
    },
}
_CHECK = {
    "values": {"--format": "format", "--policy": "policy", "--rules": "rules", "--max-depth": "max_depth"},
    "bools": {
        "--offline": ("offline", True),
        "--online": ("offline", False),
        "--strict": ("strict", True),
        "--scan-code": ("scan_code", True),
        "--refresh": ("refresh", True),
    },
    "choices": {"format": {"text", "json", "markdown", "sarif"}},
}


def _parse(argv: list[str], command: str, spec: dict[str, dict]) -> tuple[dict[str, object], list[str]] | None:
    """Flags and positionals of `command`, or None as soon as anything is not understood exactly."""
    if not argv or argv[0] != command:
        return None
    values, bools, choices = spec["values"], spec["bools"], spec["choices"]
    out: dict[str, object] = {"rules": []}
    positional: list[str] = []
    i = 1
    while i < len(argv):
        arg = argv[i]
        inline: str | None = None
        if arg.startswith("--") and "=" in arg:
            arg, inline = arg.split("=", 1)
        if arg in bools and inline is None:
            key, val = bools[arg]
            out[key] = val
        elif arg in values:
            if inline is None:
                i += 1
                if i >= len(argv):
                    return None
                inline = argv[i]
            key = values[arg]
            if key in choices and inline not in choices[key]:
                return None
            if key in _INTS:
                if not inline.isdigit():
                    return None
                out[key] = int(inline)
            elif key == "time_budget":
                try:
                    out[key] = float(inline)
                except ValueError:
                    return None
                if not 0 < out[key] <= 3600:  # type: ignore[operator]
                    return None  # the full CLI says why
            elif key == "rules":
                out["rules"].append(inline)  # type: ignore[union-attr]
            else:
                out[key] = inline
        elif arg.startswith("-"):
            return None
        else:
            positional.append(arg)
        i += 1
    return out, positional


def parse_audit(argv: list[str]) -> dict[str, object] | None:
    """The audit arguments (only `--format json`), or None when the full CLI should handle this command line."""
    parsed = _parse(argv, "audit", _AUDIT)
    if parsed is None or len(parsed[1]) != 1 or parsed[0].get("format") != "json":
        return None
    out, positional = parsed
    out["teacher"] = positional[0]
    return out


def parse_check(argv: list[str]) -> dict[str, object] | None:
    """`licheck check` arguments (the pre-commit hooks' command line), or None for the full CLI."""
    parsed = _parse(argv, "check", _CHECK)
    if parsed is None:
        return None
    out, positional = parsed
    out.setdefault("format", "text")
    out["paths"] = positional
    return out


def _exit_for(verdict: str) -> int:
    return {"permitted": 0, "conditional": 0, "forbidden": 1, "review": 3}[verdict]


def run_audit(args: dict[str, object]) -> int:
    from pathlib import Path

    from licheck import report, service
    from licheck.cli_common import VERDICT_EXIT, print_notice
    from licheck.domain import Plan
    from licheck.errors import UsageError
    from licheck.rules import load_rules

    max_depth = int(args.get("max_depth", 20))  # type: ignore[arg-type]
    if max_depth > 10_000:
        raise UsageError("--max-depth must be between 0 and 10000")
    plan = Plan(
        teacher=str(args["teacher"]),
        student=args.get("student"),  # type: ignore[arg-type]
        use=str(args.get("use", "commercial")),
        internal=bool(args.get("internal", False)),
        method=str(args.get("method", "outputs")),
        mau=args.get("mau"),  # type: ignore[arg-type]
        monthly_revenue=args.get("monthly_revenue"),  # type: ignore[arg-type]
        annual_revenue=args.get("annual_revenue"),  # type: ignore[arg-type]
        eu=args.get("eu"),  # type: ignore[arg-type]
    )
    options = service.Options(
        offline=bool(args.get("offline", False)),
        refresh=bool(args.get("refresh", False)),
        max_depth=max_depth,
        revision=args.get("revision"),  # type: ignore[arg-type]
        rules_dirs=[Path(p) for p in args["rules"]],  # type: ignore[union-attr]
        time_budget=args.get("time_budget"),  # type: ignore[arg-type]
    )
    from licheck import resultcache

    key = resultcache.key_for(args) if resultcache.cacheable(args) else None
    ruleset = load_rules(options.rules_dirs)
    verdict, session = service.audit(plan, options, ruleset)
    print_notice(session)
    doc = report.audit_json(verdict, session.sources_summary(verdict.graph), ruleset.version)
    rendered = report.dumps(doc) + "\n"
    sys.stdout.write(rendered)
    deps = resultcache.dependencies(session, verdict.graph)
    if deps is not None and key is not None:
        resultcache.store(key, doc, rendered, deps)
    return VERDICT_EXIT[verdict.verdict]


def cached_audit(args: dict[str, object]) -> int | None:
    """Serve a stored result whose inputs are all unchanged (see resultcache); None when there is none."""
    from licheck import resultcache

    if not resultcache.cacheable(args):
        return None
    try:
        hit = resultcache.load(resultcache.key_for(args))
    except Exception:
        return None
    if hit is None:
        return None
    verdict, text = hit
    sys.stdout.write(text)
    return _exit_for(verdict)


def main() -> None:
    check_args = parse_check(sys.argv[1:])
    if check_args is not None:
        from licheck.check import run_check
        from licheck.cli_common import guarded

        paths = check_args.pop("paths")
        fmt = check_args.pop("format")
        sys.exit(guarded(lambda: run_check(paths, fmt, **check_args)))  # type: ignore[arg-type]
    args = parse_audit(sys.argv[1:])
    if args is None:
        from licheck.cli import main as full_cli

        full_cli()
        return
    if not args.get("refresh"):
        code = cached_audit(args)
        if code is not None:
            sys.exit(code)
    from licheck.cli_common import guarded

    sys.exit(guarded(lambda: run_audit(args)))


if __name__ == "__main__":
    main()
