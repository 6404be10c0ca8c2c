"""Import network profiles from the national files: the ODS ePCN workbook and list sizes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pcndocs.errors import PcndocsError
from pcndocs.files import make_folder, slug, write_atomically
from pcndocs.importer.epcn import EpcnFile, Network, Partner, read_epcn
from pcndocs.importer.lists import ListSizes, read_list_sizes
from pcndocs.importer.names import format_name
from pcndocs.importer.profiles import (
    commissioner_from_lists,
    members_in_order,
    profile_text,
)
from pcndocs.profile.codes import is_practice_code, normalise_code
from pcndocs.profile.items import item_name
from pcndocs.profile.model import SMALLEST_PLAUSIBLE_LIST

__all__ = [
    "ImportReport",
    "ListSizes",
    "Network",
    "Partner",
    "import_networks",
    "read_epcn",
    "read_list_sizes",
]


@dataclass
class ImportReport:
    """What an import wrote, left alone, and found wrong; one line per problem."""

    written: list[Path] = field(default_factory=list)
    # Profiles that already existed and were kept because overwrite was not asked for.
    kept: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    networks: int = 0
    practices: int = 0
    population: int = 0
    missing_list_sizes: int = 0


def import_networks(
    epcn: Path,
    lists: Path | None,
    pcn_codes: Sequence[str],
    ccg_codes: Sequence[str],
    all_networks: bool,
    out_dir: Path,
    *,
    overwrite: bool = False,
    as_of: dt.date | None = None,
) -> ImportReport:
    """Write one profile per selected network to out_dir/<slug>.yaml and report on it.

    Networks are selected by PCN code, by commissioner (CCG or Sub ICB Location) code, or
    all of them. Partner relationships ended before `as_of` (today) are left out. An
    existing profile is kept unless `overwrite`, so a re-import never loses a user's edits.
    Raises InputFileError for an unreadable file and PcndocsError when nothing is selected.
    """
    as_of = as_of or dt.date.today()
    epcn_file = read_epcn(epcn, as_of)
    list_sizes = read_list_sizes(lists) if lists is not None else None
    lists_name = lists.name if lists is not None else None
    report = ImportReport(problems=list(epcn_file.problems))
    selected = _select(epcn_file, epcn.name, pcn_codes, ccg_codes, all_networks, report)
    if list_sizes is None:
        report.problems.append("no list-size file given: every list size is to be filled in")
    elif (list_sizes.extract_date.month, list_sizes.extract_date.day) != (1, 1):
        report.problems.append(
            f"{lists_name}: list sizes are of "
            f"{list_sizes.extract_date.isoformat()}, not 1 January; check each contract_year"
        )
    make_folder(out_dir)
    for network, stem in _file_stems(selected):
        _check_network(network, list_sizes, lists_name, report)
        path = out_dir / f"{stem}.yaml"
        if path.exists() and not overwrite:
            report.kept.append(path)
            report.problems.append(
                f"{path}: already exists; left unchanged (overwrite not asked for)"
            )
            continue
        text = profile_text(
            network,
            list_sizes,
            epcn_name=epcn.name,
            lists_name=lists_name,
            imported_on=as_of,
        )
        write_atomically(path, text.encode("utf-8"))
        report.written.append(path)
    return report


def _select(
    epcn_file: EpcnFile,
    epcn_name: str,
    pcn_codes: Sequence[str],
    ccg_codes: Sequence[str],
    all_networks: bool,
    report: ImportReport,
) -> list[Network]:
    """Return the networks asked for, sorted by name; report codes that match nothing.

    Raises PcndocsError when the selection is empty, naming why.
    """
    networks = epcn_file.networks
    if all_networks:
        chosen = list(networks)
        if not chosen:
            raise PcndocsError(f"{epcn_name} holds no open networks")
    else:
        if not pcn_codes and not ccg_codes:
            raise PcndocsError(
                "nothing to import: give PCN codes, commissioner (CCG or Sub ICB) codes, or all"
            )
        chosen_codes, unmatched = _match_codes(epcn_file, epcn_name, pcn_codes, ccg_codes)
        if not chosen_codes:
            raise PcndocsError("nothing to import: " + "; ".join(unmatched))
        report.problems.extend(unmatched)
        by_code = {n.code: n for n in networks}
        chosen = [by_code[c] for c in chosen_codes]
    return sorted(chosen, key=lambda n: (format_name(n.name).lower(), n.code))


def _match_codes(
    epcn_file: EpcnFile, epcn_name: str, pcn_codes: Sequence[str], ccg_codes: Sequence[str]
) -> tuple[list[str], list[str]]:
    """Return the PCN codes of the open networks the codes name, and why each other matched none."""
    networks = epcn_file.networks
    by_code = {n.code: n for n in networks}
    closed = {n.code: n for n in epcn_file.closed_networks}
    commissioners = {n.commissioner_code for n in networks}
    chosen_codes: dict[str, None] = {}  # a dict keeps the order and drops repeats
    unmatched: list[str] = []
    for raw in pcn_codes:
        code = normalise_code(raw)
        if code in by_code:
            chosen_codes[code] = None
        elif code in closed:
            unmatched.append(f"{code}: network closed on {closed[code].close_date}")
        elif code in commissioners:
            unmatched.append(f"{code}: a commissioner code, not a PCN code, in {epcn_name}")
        else:
            unmatched.append(f"{code}: no network with this PCN code in {epcn_name}")
    for raw in ccg_codes:
        code = normalise_code(raw)
        matches = [n.code for n in networks if n.commissioner_code == code]
        if matches:
            chosen_codes.update(dict.fromkeys(matches))
        else:
            unmatched.append(f"{code}: no open network with this commissioner code in {epcn_name}")
    return list(chosen_codes), unmatched


def _file_stems(networks: list[Network]) -> list[tuple[Network, str]]:
    """Return each network with its file stem; networks sharing a name get their code added."""
    stems = [slug(format_name(n.name)) for n in networks]
    counts = Counter(stems)
    return [
        (n, stem if counts[stem] == 1 else f"{stem}-{n.code.lower()}")
        for n, stem in zip(networks, stems, strict=True)
    ]


def network_cautions(
    network: Network, list_sizes: ListSizes | None, lists_name: str | None
) -> list[str]:
    """Return what to check in one network's import, as `pcndocs import` says it."""
    report = ImportReport()
    _check_network(network, list_sizes, lists_name, report)
    return report.problems


def _check_network(
    network: Network, list_sizes: ListSizes | None, lists_name: str | None, report: ImportReport
) -> None:
    """Add a network's figures to the report, and a line for each problem in it."""
    who = f"{format_name(network.name)} ({network.code})"
    report.networks += 1
    report.practices += len(network.practices)
    if not network.practices:
        report.problems.append(f"{who}: no current member practices")
    for i, partner in enumerate(members_in_order(network)):
        # Named as the profile it writes numbers it, with the code that finds it in the files.
        practice = item_name("practices", i, f"{format_name(partner.name)}, {partner.code}")
        if not is_practice_code(partner.code):
            report.problems.append(f"{who}: {practice} does not have a GP practice code; kept")
        if list_sizes is None:
            continue
        size = list_sizes.sizes.get(partner.code)
        if size is None:
            report.missing_list_sizes += 1
            report.problems.append(f"{who}: {practice} has no list size in {lists_name}")
        else:
            report.population += size
            if size < SMALLEST_PLAUSIBLE_LIST:
                report.problems.append(
                    f"{who}: {practice} has only {size:,} registered patients in {lists_name}; "
                    "is it closing or merging? check before it is counted"
                )
    newer = commissioner_from_lists(network, list_sizes)
    if newer and list_sizes is not None:
        report.problems.append(
            f"{who}: commissioner {network.commissioner_code} in the ePCN file, {newer} in "
            f"{lists_name} of {list_sizes.extract_date.isoformat()}; used {newer}, the newer"
        )
