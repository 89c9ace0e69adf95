"""The parts of benchmarks/updates.py, one concern a module:

- fixtures: copies of the cached store, the interchange file of new facts, follows written
  by bulk SQL, and the small helpers both measurements use (``timed``, ``count``, ``pct``);
- writes: 1., what the outbox hook adds to an import and to a moderator's edit;
- draining: 2., the drainer's own work (rounds until nothing is due, folded changes,
  idle rounds) with an in-process poster.

benchmarks/updates.py runs them (``python benchmarks/updates.py --help``); it puts the
repository and benchmarks/ on sys.path first (for ``bot`` and ``free_questions``).
"""
