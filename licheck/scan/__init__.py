"""`licheck scan`: every model of a Hub dump, its ancestry within the dump, licences, drift and verdict.

Correctness anchor: a record's verdict is what `licheck audit ID --offline` answers when the dump's records are
the only data (parents outside the dump are `missing`, hence `review`). There is one engine; this package only
reads dumps and drives it:

* records.py reads each record with the audit's own code (`evidence.node_from_record`, `evidence.edge_specs`) in
  worker processes; index.py makes the dump an integer graph (readers.py: JSON Lines, Parquet).
* The verdict is the engine's closure algebra (licheck.engine.closure) folded over that graph: each node's closure state
  comes from its parents' once. A context class's level is the Auditor's own verdict on a node of that class
  (judge.py), and a state's verdict is the Auditor's verdict on the first model met with it.
* Models the fold cannot describe exactly (cycles, deeper than --max-depth, mixed weight and data paths, odd ids)
  are judged by the Auditor on their own graph, read from the dump as `audit --offline` would.
* `--verify N` (default 200) audits a fixed sample again with the Auditor: a self-check of the fold, whose
  definitions are the engine's (a disagreement is a bug in licheck.engine.closure, not a second copy drifting).

`evaluate_batch(records, index, plan, rules)` is a pure function of its arguments, the unit a distributed runner
maps over partitions (see evaluate.py).
"""

from licheck.scan.driver import default_plan, run_scan
from licheck.scan.evaluate import Evaluator, evaluate_batch, evaluator
from licheck.scan.judge import Judge, ScanConsistencyError
from licheck.scan.readers import build_index, index_records
from licheck.scan.render import progress_bar, render_text

__all__ = [
    "Evaluator",
    "Judge",
    "ScanConsistencyError",
    "build_index",
    "default_plan",
    "evaluate_batch",
    "evaluator",
    "index_records",
    "progress_bar",
    "render_text",
    "run_scan",
]
