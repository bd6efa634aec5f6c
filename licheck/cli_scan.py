"""`licheck scan`: evaluate a whole dump of Hub records (registered on the main app)."""

from __future__ import annotations
