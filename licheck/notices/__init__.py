"""`licheck notices`: the files a conditional verdict demands (NOTICE, licence copies or pointers, model card),
built from the rule data and written next to the student without overwriting anything.

`duties` says which duties a verdict's findings carry (shared with `licheck check`), `build` turns them into files
whose every line cites its clause, `write` creates new files or shows a diff against existing ones.
"""

from licheck.notices.build import Notices, build_notices
from licheck.notices.duties import Duty, collect_duties
from licheck.notices.write import Outcome, plan_writes

__all__ = ["Duty", "Notices", "Outcome", "build_notices", "collect_duties", "plan_writes"]
