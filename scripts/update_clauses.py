"""Records the built-in templates' clauses in pcndocs/data/clauses.yaml (`make clauses`).

Each clause whose current text is not yet in the catalogue gets a new version, labelled with
this pcndocs version and the latest contract year it holds figures for; earlier versions stay,
so a house wording file pinned to one of them can be told what changed.
"""

from __future__ import annotations

import sys

from pcndocs import __version__
from pcndocs.files import write_atomically
from pcndocs.render.clauses import (
    CATALOGUE,
    all_clauses,
    catalogue_text,
    load_catalogue,
    problems_with_catalogue,
    updated_catalogue,
)
from pcndocs.rules.facts import load_facts


def main() -> int:
    """Update the catalogue; print what is still wrong (an id gone without being retired)."""
    since = f"pcndocs {__version__}, contract year {load_facts().funding.latest}"
    clauses = all_clauses()
    catalogue = updated_catalogue(load_catalogue(), clauses, since)
    write_atomically(CATALOGUE, catalogue_text(catalogue).encode("utf-8"))
    problems = problems_with_catalogue(catalogue, clauses)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{CATALOGUE}: {len(clauses)} clauses")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
