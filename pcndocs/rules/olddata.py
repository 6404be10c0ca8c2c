"""What a blank profile's data says that is too old or too thin to use as it is.

A profile imported from the national files carries list sizes of an old 1 January, a contract
year to match, a commissioner that is a former clinical commissioning group (CCG), and
practices with no list size or one too small to be a working practice's. A blank build says
so on its first page and in still-to-agree.txt, so an adviser hands out nothing stale unmarked.
"""

from __future__ import annotations

import re

from pcndocs import years
from pcndocs.profile.model import SMALLEST_PLAUSIBLE_LIST, Profile
from pcndocs.rules.facts import Facts

# A CCG by name ("NHS Liverpool CCG (99A)"), or a bare three-character code of a former CCG or
# sub-ICB location ("71E"): sub-ICB locations keep the CCGs' codes.
_FORMER_CCG = re.compile(r"\bCCG\b|\bclinical commissioning group\b", re.IGNORECASE)
_BARE_CODE = re.compile(r"^[0-9A-Z]{3}$")


def _longdate(value: object) -> str:
    day = getattr(value, "day", 0)
    return f"{day} {value:%B %Y}"


def old_data_notes(profile: Profile, facts: Facts) -> list[str]:
    """Return one plain sentence for each thing in a profile's data to check before use."""
    notes: list[str] = []
    latest = facts.funding.latest
    counted = facts.funding_year(latest).population_date
    when = profile.network.population_date
    year = profile.contract_year
    if when is not None and when < counted:
        stale_year = year is not None and years.later(latest, year)
        notes.append(
            f"The list sizes are those of {_longdate(when)}"
            + (f", and the contract year, {year}, follows them" if stale_year else "")
            + f". An agreement for {latest} counts each practice’s patients on "
            f"{_longdate(counted)}: use the list sizes of the contract year being agreed."
        )
    commissioner = (profile.network.commissioner or "").strip()
    if _FORMER_CCG.search(commissioner):
        notes.append(
            f"The commissioner, {commissioner}, is a former clinical commissioning group (CCG), "
            "from old national data: CCGs are now sub-ICB locations. Name the integrated care "
            "board (ICB) that commissions the network now."
        )
    elif _BARE_CODE.match(commissioner):
        notes.append(
            f"The commissioner is given only as a code, {commissioner}: the code of a former "
            "clinical commissioning group (CCG) or sub-ICB location. Name the integrated care "
            "board (ICB) that commissions the network now."
        )
    for practice in profile.practices:
        name = practice.name or practice.ods_code or "A practice"
        if practice.list_size is None:
            notes.append(f"{name} has no list size: add its registered patients.")
        elif practice.list_size < SMALLEST_PLAUSIBLE_LIST:
            notes.append(
                f"{name} has a list of only {practice.list_size:,} patients, too few for a "
                "working practice: check whether it has closed, merged or just opened."
            )
    return notes
