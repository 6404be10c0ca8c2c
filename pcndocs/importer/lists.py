"""Read NHS Digital's "Patients Registered at a GP Practice": list size per practice."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pcndocs.errors import InputFileError
from pcndocs.importer.headers import Columns, find_header_row

if TYPE_CHECKING:
    from _csv import Reader

_CODE = ("code", "practice code", "org code")
_PATIENTS = ("number of patients", "number of patients registered")
_EXTRACT_DATE = ("extract date",)
_TYPE = ("type", "org type", "organisation type")
_SEX = ("sex",)
# The commissioner each practice belongs to: CCG_CODE in early files, SUB_ICB_LOCATION_CODE later.
_COMMISSIONER = ("sub icb location code", "sub icb loc code", "ccg code", "commissioner code")
_AGE = ("age",)

# Values of the TYPE / ORG_TYPE column that mean a GP practice.
_PRACTICE_TYPES = frozenset({"gp", "gp practice", "gp_practice", "practice"})
# EXTRACT_DATE is 01JAN2021 in early releases and 2026-04-01 in later ones. Months are
# matched by hand because strptime's %b follows the locale.
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[- ]?([A-Za-z]{3})[- ]?(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?")
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True)
class ListSizes:
    """Registered patients per practice code, on the file's extract date."""

    sizes: dict[str, int]
    extract_date: dt.date
    # Each practice's commissioner code on the extract date, where the file gives one.
    commissioners: dict[str, str] = dataclasses.field(default_factory=dict)


#: Practices in one file: England has about 6,300; more is not a list-size file.
MAX_PRACTICES = 20_000
#: NHS Digital's largest list-size file (every practice, by sex and age) is tens of MB.
MAX_LIST_BYTES = 500 * 1024 * 1024


def read_list_sizes(path: Path) -> ListSizes:
    """Return the list size of every GP practice in the file and the file's extract date.

    Rows of other organisation types, and breakdowns by sex or age, are skipped.
    Raises InputFileError when the file is missing, not such a CSV, or inconsistent.
    """
    if not path.exists():
        raise InputFileError(path, "no such file")
    if path.is_dir():
        raise InputFileError(path, "is a folder, not a list-size .csv file")
    if not path.is_file():  # a pipe or a device (/dev/zero) would hang or never end
        raise InputFileError(path, "is not a file (a device or a pipe)")
    if path.stat().st_size > MAX_LIST_BYTES:
        raise InputFileError(
            path, f"is larger than {MAX_LIST_BYTES >> 20} MB; not a list-size file?"
        )
    reader = None
    try:
        # utf-8-sig: files saved from Excel start with a byte-order mark.
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            return _read(path, reader)
    except UnicodeDecodeError:
        raise InputFileError(path, "not a text CSV file") from None
    except csv.Error as exc:  # a field over the csv module's limit, a stray quote...
        line = f"line {reader.line_num}: " if reader is not None and reader.line_num else ""
        raise InputFileError(path, f"{line}not a readable CSV file ({exc})") from None
    except OSError as exc:
        raise InputFileError(path, f"cannot be read ({exc.strerror or exc})") from None


def _read(path: Path, reader: Reader) -> ListSizes:
    """Return the list sizes read from the rows of an open CSV file."""
    header = find_header_row(reader, _CODE)
    if header is None:
        raise InputFileError(path, "no CODE column; not a 'Patients Registered' CSV file?")
    try:
        columns = Columns.from_header(
            header,
            {"code": _CODE, "number_of_patients": _PATIENTS, "extract_date": _EXTRACT_DATE},
            {"type": _TYPE, "sex": _SEX, "age": _AGE, "commissioner": _COMMISSIONER},
        )
    except KeyError as exc:
        raise InputFileError(path, f"no {str(exc.args[0]).upper()} column") from None
    sizes: dict[str, int] = {}
    commissioners: dict[str, str] = {}
    dates: set[dt.date] = set()
    stamps: set[str] = set()
    for row in reader:
        line = reader.line_num
        code = str(columns.get(row, "code") or "").strip().upper()
        if not code or not _is_practice_total(columns, row):
            continue
        sizes[code] = _patients(path, line, code, columns.get(row, "number_of_patients"), sizes)
        commissioner = (
            str(columns.get(row, "commissioner") or "").strip().upper()
            if "commissioner" in columns
            else ""
        )
        if commissioner:
            commissioners[code] = commissioner
        stamp = str(columns.get(row, "extract_date") or "")
        if stamp not in stamps:  # one date in a whole file: read each spelling once
            stamps.add(stamp)
            dates.add(_extract_date(path, line, stamp))
    if not sizes:
        raise InputFileError(path, "no practice rows")
    if len(dates) > 1:
        shown = ", ".join(d.isoformat() for d in sorted(dates))
        raise InputFileError(path, f"more than one EXTRACT_DATE ({shown})")
    return ListSizes(sizes, dates.pop(), commissioners)


def _patients(path: Path, line: int, code: str, cell: object, sizes: dict[str, int]) -> int:
    """Return a practice's number of patients, refusing a bad number, a repeat or too many."""
    patients = str(cell or "").strip().replace(",", "")
    if not (patients.isascii() and patients.isdigit()) or len(patients) > 9:
        raise InputFileError(path, f"line {line}: NUMBER_OF_PATIENTS {patients!r} for {code}")
    if code in sizes:
        raise InputFileError(path, f"line {line}: practice {code} appears twice")
    if len(sizes) >= MAX_PRACTICES:
        raise InputFileError(
            path,
            f"line {line}: more than {MAX_PRACTICES:,} practices; England has about "
            "6,300 (is this the 'Patients Registered at a GP Practice' file?)",
        )
    return int(patients)


def _is_practice_total(columns: Columns, row: list[str]) -> bool:
    """Return whether a row is a GP practice's total (not another type, not a breakdown)."""
    if "type" in columns:
        kind = str(columns.get(row, "type") or "").strip().lower()
        if kind and kind not in _PRACTICE_TYPES:
            return False
    for field in ("sex", "age"):
        if field in columns:
            value = str(columns.get(row, field) or "").strip().upper()
            if value and value != "ALL":
                return False
    return True


def _extract_date(path: Path, line: int, text: str) -> dt.date:
    """Return an EXTRACT_DATE such as 01JAN2021 or 2026-04-01; raise InputFileError."""
    text = text.strip()
    try:
        if match := _DAY_MONTH_YEAR.fullmatch(text):
            day, month, year = match.groups()
            if month.upper() in _MONTHS:
                return dt.date(int(year), _MONTHS.index(month.upper()) + 1, int(day))
        elif match := _ISO.fullmatch(text):
            return dt.date(*(int(part) for part in match.groups()))
        elif match := _SLASHED.fullmatch(text):
            day, month, year = match.groups()
            return dt.date(int(year), int(month), int(day))
    except ValueError:
        pass  # a day or month out of range, as in 31FEB2021
    raise InputFileError(path, f"line {line}: EXTRACT_DATE {text!r} is not a date")
