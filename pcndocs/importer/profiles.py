"""Write the YAML text of a network profile, with comments on what is still to be filled in."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable

import yaml

from pcndocs import years
from pcndocs.importer.codes import is_practice_code
from pcndocs.importer.epcn import Network, Partner
from pcndocs.importer.lists import ListSizes
from pcndocs.importer.names import format_name

TO_FILL = "to be filled in"
# Fewer registered patients than this is not a working practice's list: one closing, merging
# or just opened. England's smallest open practices have a little over a thousand.
SMALLEST_PLAUSIBLE_LIST = 1000
# Comments start this many spaces after the value, so they stand apart from it.
_COMMENT_GAP = "   "

# A plain (unquoted) YAML scalar that cannot be mistaken for anything else: it starts with a
# letter and has no ':' or '#' (which could start a mapping or a comment) nor other indicators.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 &'.,()/+@-]*(?<! )")
_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()


def profile_text(
    network: Network,
    list_sizes: ListSizes | None,
    *,
    epcn_name: str,
    lists_name: str | None,
    imported_on: dt.date,
) -> str:
    """Return the YAML text of one network's profile, in the keys of profile-format.md.

    Values the national files do not hold are null (or empty lists) with a comment saying
    they are to be filled in; practices missing from the list-size file get a null list size.
    """
    sources = epcn_name if lists_name is None else f"{epcn_name} and {lists_name}"
    population_date = list_sizes.extract_date if list_sizes else None
    lines = [
        _comment(f"Imported by pcndocs from {sources} on {imported_on.isoformat()}."),
        _comment(f'Values marked "{TO_FILL}" were not in the national files.'),
        "network:",
        _entry("  name", yaml_string(format_name(network.name))),
        _entry(
            "  code",
            yaml_string(network.code),
            f"opened {network.open_date.isoformat()}" if network.open_date else None,
        ),
    ]
    newer = commissioner_from_lists(network, list_sizes)
    commissioner = commissioner_label(network)
    if newer and list_sizes is not None:
        lines.append(
            _entry(
                "  commissioner",
                yaml_string(newer),
                f"check: the code in {lists_name} of {list_sizes.extract_date.isoformat()} "
                f"(newer than {epcn_name}'s {commissioner or network.commissioner_code}); "
                "add its name, and check it is still the commissioner",
            )
        )
    elif commissioner:
        lines.append(
            _entry(
                "  commissioner",
                yaml_string(commissioner),
                f"check: from {epcn_name}, old national data; commissioners have changed since",
            )
        )
    else:
        lines.append(_entry("  commissioner", "null", f"{TO_FILL}: not in {epcn_name}"))
    if population_date:
        lines.append(_entry("  population_date", population_date.isoformat()))
    else:
        lines.append(
            _entry("  population_date", "null", f"{TO_FILL}: the date the list sizes refer to")
        )
    lines.append(
        _entry(
            "  nominated_payee",
            "null",
            f"{TO_FILL}: ODS code of the member practice that receives the network's funding",
        )
    )
    lines.append(_contract_year_entry(population_date))
    lines.extend(_practice_lines(network, list_sizes, epcn_name, lists_name))
    lines.extend(
        [
            _entry(
                "clinical_directors",
                "[]",
                f"{TO_FILL}: name, profession, practice, sessions_per_week, start_date",
            ),
            "appointment:",
            _entry("  method", "null", f"{TO_FILL}: selection, election or selection_and_election"),
            "leads: []",
        ]
    )
    return "\n".join(lines) + "\n"


def _contract_year_entry(population_date: dt.date | None) -> str:
    """Return the contract_year line for a population date, with a comment to check it.

    The year follows the national list-size file, which is usually older than the agreement
    being written: the comment says so, so the author sets the year they are agreeing.
    """
    if population_date is None:
        return _entry("contract_year", "null", f"{TO_FILL}: for example 2025/26")
    year = contract_year(population_date)
    if (population_date.month, population_date.day) != (1, 1):
        # Funding uses the list at 1 January; a list of another day only approximates it.
        return _entry(
            "contract_year",
            year,
            f"check: list sizes are of {population_date.isoformat()}, not 1 January; "
            "from old national data: set the year you are agreeing",
        )
    return _entry(
        "contract_year",
        year,
        f"check: from the national list sizes of {population_date.isoformat()}, old data: "
        "set the year you are agreeing, with that year's list sizes",
    )


def _practice_lines(
    network: Network, list_sizes: ListSizes | None, epcn_name: str, lists_name: str | None
) -> list[str]:
    """Return the practices: block, one item per current partner, sorted by name."""
    partners = sorted(network.practices, key=lambda p: (format_name(p.name).lower(), p.code))
    if not partners:
        return [_entry("practices", "[]", f"{TO_FILL}: no current member practices in {epcn_name}")]
    known = [
        list_sizes.sizes[p.code] for p in partners if list_sizes and p.code in list_sizes.sizes
    ]
    summary = f"{len(partners)} practices"
    if list_sizes:
        summary += f", {sum(known):,} patients on {list_sizes.extract_date.isoformat()}"
        if len(known) < len(partners):
            summary += f" ({len(partners) - len(known)} without a list size)"
    lines = [_entry("practices", "", summary)]
    for partner in partners:
        lines.extend(_practice_item(partner, list_sizes, lists_name))
    return lines


def _practice_item(
    partner: Partner, list_sizes: ListSizes | None, lists_name: str | None
) -> list[str]:
    """Return the three lines of one practice in the practices list."""
    code_note = None
    if not is_practice_code(partner.code):
        code_note = "check: not a GP practice code (a letter and five digits)"
    if list_sizes is None:
        size, size_note = "null", f"{TO_FILL}: registered patients; no list-size file was given"
    elif partner.code in list_sizes.sizes:
        patients = list_sizes.sizes[partner.code]
        size, size_note = str(patients), None
        if patients < SMALLEST_PLAUSIBLE_LIST:
            size_note = f"check: only {patients:,} patients; is the practice closing or merging?"
    else:
        size, size_note = "null", f"{TO_FILL}: not in the list-size file {lists_name}"
    return [
        _entry("  - name", yaml_string(format_name(partner.name))),
        _entry("    ods_code", yaml_string(partner.code), code_note),
        _entry("    list_size", size, size_note),
    ]


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


def yaml_string(text: str) -> str:
    """Return text as a YAML scalar that loads back as the same string.

    Plain when it cannot be misread (names, codes), otherwise double-quoted with escapes.
    """
    if _PLAIN.fullmatch(text) and _loads_as_string(text):
        return text
    return _double_quoted(text)


def _loads_as_string(text: str) -> bool:
    """Return whether a plain scalar loads as a string (not yes/no/null), by YAML's own rules."""
    # The stubs leave Resolver.resolve untyped; this names the signature it has.
    resolve: Callable[[type[yaml.Node], str, tuple[bool, bool]], str] = _RESOLVER.resolve
    return resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG


def _double_quoted(text: str) -> str:
    """Return text in YAML double quotes, escaping quotes, backslashes and unprintables."""
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif _printable(char):
            out.append(char)
        else:
            code = ord(char)
            if code <= 0xFF:
                out.append(f"\\x{code:02X}")
            elif code <= 0xFFFF:
                out.append(f"\\u{code:04X}")
            else:
                out.append(f"\\U{code:08X}")
    out.append('"')
    return "".join(out)


def _printable(char: str) -> bool:
    """Return whether a character may stand as itself inside YAML double quotes."""
    code = ord(char)
    if 0x20 <= code <= 0x7E:
        return True
    # Line and paragraph separators would be folded; a BOM is stripped by some readers.
    if code in (0x2028, 0x2029, 0xFEFF):
        return False
    return 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _entry(key: str, value: str, comment: str | None = None) -> str:
    """Return one 'key: value' line, with a trailing comment if given."""
    line = f"{key}: {value}" if value else f"{key}:"
    return f"{line}{_COMMENT_GAP}{_comment(comment)}" if comment else line


def _comment(text: str) -> str:
    """Return a YAML comment; line breaks and control characters become spaces."""
    clean = "".join(c if c.isprintable() else " " for c in text)
    return "# " + " ".join(clean.split())
