"""The parts of benchmarks/load.py, one concern a module:

- workload: what members and moderators send (the question mix, the moderators' commands
  and their bookkeeping);
- stats: the least-squares slope, percentiles and MiB figures of the report;
- databases: what the run is checked against, read from SQLite: each question's expected
  reply (the engine on a freshly seeded database), the bot's question log and change log.

benchmarks/load.py runs the phases and prints the figures (``python benchmarks/load.py
--help``). The parts import the end-to-end helpers (tests/e2e: ``botprocess``,
``fakediscord``), which load.py puts on sys.path first.
"""
