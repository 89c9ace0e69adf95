"""The parts of benchmarks/lookup.py, one concern a module:

- names: the word lists (first and last names of many languages, nicknames, the adjectives
  and nouns of titles, organisations) and ``_synthetic``, made-up names from syllables;
  free_questions.py's world (benchmarks/freeq/) is made of them too;
- store: ``make_store``, the seeded rows of aliases (people, shows, organisations);
- questions: ``make_questions``, the questions with known answers, by category;
- measure: ``run_size``, everything measured at one store size, in a fresh process;
- report: the table printed for one size.

benchmarks/lookup.py runs them (``python benchmarks/lookup.py --help``); engine_scale.py
fills its store with ``make_store`` and asks ``make_questions``.
"""
