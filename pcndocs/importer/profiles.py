"""Write the YAML text of a network profile, with comments on what is still to be filled in."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

from pcndocs import years
from pcndocs.importer.epcn import Network, Partner
from pcndocs.importer.lists import ListSizes
from pcndocs.importer.names import format_name
from pcndocs.profile.codes import is_practice_code
from pcndocs.profile.model import SMALLEST_PLAUSIBLE_LIST
from pcndocs.profile.write import TO_FILL, profile_yaml


def profile_text(
    network: Network,
    list_sizes: ListSizes | None,
    *,
    epcn_name: str,
    lists_name: str | None,
    imported_on: dt.date,
    year: str | None = None,
) -> str:
    """Return the YAML text of one network's profile, in the keys of profile-format.md.

    Values the national files do not hold are null (or empty lists) with a comment saying
    they are to be filled in; practices missing from the list-size file get a null list size.
    `year` is the contract year being agreed, if the user chose it; by default the year
    the list sizes were counted for.
    """
    sources = epcn_name if lists_name is None else f"{epcn_name} and {lists_name}"
    population_date = list_sizes.extract_date if list_sizes else None
    newer = commissioner_from_lists(network, list_sizes)
    commissioner = commissioner_label(network)
    notes: dict[str, str] = {}
    if network.open_date:
        notes["network.code"] = f"opened {network.open_date.isoformat()}"
    if newer and list_sizes is not None:
        notes["network.commissioner"] = (
            f"check: the code in {lists_name} of {list_sizes.extract_date.isoformat()}, "
            f"newer than {epcn_name}'s; a former CCG: name the ICB that commissions the network now"
        )
        # The list-size file gives only the newer code: name it by the CCG it follows, which
        # the ePCN file names, so the documents never show a bare code such as "71E".
        newer = f"{newer}, formerly {commissioner or network.commissioner_code}"
    elif commissioner:
        notes["network.commissioner"] = (
            f"check: from {epcn_name}, old national data; commissioners have changed since"
        )
    else:
        notes["network.commissioner"] = f"{TO_FILL}: not in {epcn_name}"
    partners = members_in_order(network)
    data: dict[str, Any] = {
        "network": {
            "name": format_name(network.name),
            "code": network.code,
            "commissioner": newer or commissioner or None,
            "population_date": population_date,
            "nominated_payee": None,
        },
        "contract_year": _chosen_year(year, population_date, notes)
        if year
        else _contract_year(population_date, notes),
        "practices": [
            _practice(i, partner, list_sizes, lists_name, notes)
            for i, partner in enumerate(partners)
        ],
        "clinical_directors": [],
        "appointment": {"method": None},
        "leads": [],
    }
    notes["practices"] = _practices_summary(partners, list_sizes, epcn_name)
    notes["clinical_directors"] = (
        f"{TO_FILL}: name, profession, practice, sessions_per_week, start_date"
    )
    header = [
        f"Imported by pcndocs from {sources} on {imported_on.isoformat()}.",
        f'Values marked "{TO_FILL}" were not in the national files.',
    ]
    return profile_yaml(data, header, notes)


def members_in_order(network: Network) -> list[Partner]:
    """Return a network's practices in the order its profile lists them: by name, then code."""
    return sorted(network.practices, key=lambda p: (format_name(p.name).lower(), p.code))


def _contract_year(population_date: dt.date | None, notes: dict[str, str]) -> str | None:
    """Return the contract year of a population date, noting when it is unsure."""
    if population_date is None:
        notes["contract_year"] = f"{TO_FILL}: for example 2025/26"
        return None
    # The year follows the national list-size file, which is usually older than the agreement
    # being written: the comment says so, so the author sets the year they are agreeing.
    if (population_date.month, population_date.day) != (1, 1):
        # Funding uses the list at 1 January; a list of another day only approximates it.
        notes["contract_year"] = (
            f"check: list sizes are of {population_date.isoformat()}, not 1 January; "
            "from old national data: set the year you are agreeing"
        )
    else:
        notes["contract_year"] = (
            f"check: from the national list sizes of {population_date.isoformat()}, old data: "
            "set the year you are agreeing, with that year's list sizes"
        )
    return contract_year(population_date)


def _chosen_year(year: str, population_date: dt.date | None, notes: dict[str, str]) -> str:
    """Return the contract year the user chose, noting when the list sizes are of another."""
    if population_date is not None and contract_year(population_date) != year:
        notes["contract_year"] = (
            f"chosen when imported; the list sizes are of {population_date.isoformat()}, "
            f"for {contract_year(population_date)}: update them to {year}'s"
        )
    return year


def _practices_summary(
    partners: list[Partner], list_sizes: ListSizes | None, epcn_name: str
) -> str:
    """Return what the practices list holds, in a line."""
    if not partners:
        return f"{TO_FILL}: no current member practices in {epcn_name}"
    known = [
        list_sizes.sizes[p.code] for p in partners if list_sizes and p.code in list_sizes.sizes
    ]
    summary = f"{len(partners)} practices"
    if list_sizes:
        summary += f", {sum(known):,} patients on {list_sizes.extract_date.isoformat()}"
        if len(known) < len(partners):
            summary += f" ({len(partners) - len(known)} without a list size)"
    return summary


def _practice(
    i: int,
    partner: Partner,
    list_sizes: ListSizes | None,
    lists_name: str | None,
    notes: dict[str, str],
) -> dict[str, Any]:
    """Return one practice of the practices list, noting what is to be checked or filled in."""
    if not is_practice_code(partner.code):
        notes[f"practices[{i}].ods_code"] = (
            "check: not a GP practice code (a letter and five digits)"
        )
    size = list_sizes.sizes.get(partner.code) if list_sizes else None
    if list_sizes is None:
        notes[f"practices[{i}].list_size"] = (
            f"{TO_FILL}: registered patients; no list-size file was given"
        )
    elif size is None:
        notes[f"practices[{i}].list_size"] = f"{TO_FILL}: not in the list-size file {lists_name}"
    elif size < SMALLEST_PLAUSIBLE_LIST:
        notes[f"practices[{i}].list_size"] = (
            f"check: only {size:,} patients; is the practice closing or merging?"
        )
    return {"name": format_name(partner.name), "ods_code": partner.code, "list_size": size}


def contract_year(population_date: dt.date) -> str:
    """Return the contract year that counts patients on 1 January of the date's year."""
    return str(years.counted_on(population_date))


def commissioner_from_lists(network: Network, list_sizes: ListSizes | None) -> str | None:
    """Return the commissioner code the list-size file gives the network's practices, if it
    differs from the ePCN file's: the code most of its practices have, on the newer date."""
    if list_sizes is None:
        return None
    codes = Counter(
        list_sizes.commissioners[p.code]
        for p in network.practices
        if p.code in list_sizes.commissioners
    )
    if not codes:
        return None
    code = codes.most_common(1)[0][0]
    return code if code != network.commissioner_code.strip().upper() else None


def commissioner_label(network: Network) -> str | None:
    """Return the commissioner as people write it, with its code: 'NHS Liverpool CCG (99A)'."""
    name = format_name(network.commissioner_name)
    code = network.commissioner_code
    if code:
        # Sub ICB Location names end with their code: 'NHS Cheshire and Merseyside ICB - 99A'.
        name = re.sub(rf"\s*-\s*{re.escape(code)}$", "", name, flags=re.IGNORECASE)
    if not name:
        return code or None
    return f"{name} ({code})" if code else name
