"""`licheck check`: check a repository's model cards and distillation plans (registered on the main app)."""

from __future__ import annotations
