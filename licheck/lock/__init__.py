"""licheck.lock: a repository's approved provenance, pinned, and verified by every `licheck check`.

`model` (the file: dataclasses, canonical JSON, schema, digest), `build` (from the check's results), `compare`
(lock vs now: typed differences), `hook` (the check's one call into it), `run` (`licheck lock`). Nothing is
imported here, so `licheck check` pays for the lock only when a repository has one.
"""
