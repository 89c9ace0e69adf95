"""The parts of benchmarks/free_questions.py, one concern a module:

- vocabulary: the word lists the synthetic shows, people and questions are made of;
- world: ``make_world``, the deterministic synthetic store (shows, seasons, characters,
  people, organisations and their facts) and ``data_digest``, its hash;
- store: ``cached_store``, that store imported into a SQLite database under
  benchmarks/results/ (timed; keyed by the parameters and the data's digest), which
  web.py and updates.py measure on too;
- questions: ``make_questions``, known-answer, absent-subject and name questions about it;
- measure: everything timed on the store, in a fresh child process;
- report: the printed figures.

benchmarks/free_questions.py runs them (``python benchmarks/free_questions.py --help``).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The repository (for bot) and benchmarks/ (for lookup.py's word lists), as the scripts do.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
