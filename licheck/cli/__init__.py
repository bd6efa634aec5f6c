"""The `licheck` command line (Typer), one module per command group.

- `app.py`: the Typer application, its one-line usage errors and `main` (the `licheck` entry point);
  it registers the command modules and nothing imports it back.
- `common.py`: what every command shares: running a body with errors as one line + exit code, the common
  options (`--offline`, `--max-depth`...), the `--format` choices.
- `options.py`: the plan flags (`--student`, `--use`, `--method`, `--mau`...), declared once for audit and scan.
- `audit.py` (`chain`, `audit`), `check.py`, `scan.py`, `rules.py` (`rules list|show|validate|test`).

Command modules import only typer and `common`/`options` at load time; the engine, the Hub client, rich, yaml and
jsonschema are imported inside the command bodies, so `licheck --help` and a warm audit stay fast.
"""
