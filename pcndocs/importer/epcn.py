"""Read the ODS ePCN workbook: every network in England and its member practices."""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pcndocs.errors import InputFileError
from pcndocs.importer.headers import Columns, find_header_row

# openpyxl has no type hints of its own; its worksheets are typed as this alias.
Worksheet = Any


@dataclass(frozen=True)
class Partner:
    """A core partner of a network (a GP practice, in nearly every case), as in the file."""

    code: str
    name: str


@dataclass(frozen=True)
class Network:
    """One Primary Care Network with its current core partners, names as in the file."""

    code: str
    name: str
    commissioner_code: str
    commissioner_name: str
    open_date: dt.date | None
    practices: list[Partner] = field(default_factory=list)
    close_date: dt.date | None = None


@dataclass(frozen=True)
class EpcnFile:
    """What an ePCN workbook holds on a given day, and what in it looked wrong."""

    networks: list[Network]
    closed_networks: list[Network]
    ended_relationships: int
    problems: list[str]


# Header names by field; the December 2019 file says CCG, later ones Sub ICB Location.
_PCN_CODE = ("pcn code",)
_PCN_NAME = ("pcn name",)
_COMMISSIONER_CODE = (
    "current clinical commissioning group code",
    "clinical commissioning group code",
    "current ccg code",
    "ccg code",
    "current sub icb location code",
    "sub icb location code",
    "current sub icb code",
    "sub icb code",
)
_COMMISSIONER_NAME = (
    "clinical commissioning group name",
    "current clinical commissioning group name",
    "ccg name",
    "current ccg name",
    "sub icb location name",
    "current sub icb location name",
    "sub icb name",
    "current sub icb name",
)
_OPEN_DATE = ("open date",)
_CLOSE_DATE = ("close date",)
_PARTNER_CODE = ("partner organisation code", "partner code")
_PARTNER_NAME = ("partner name", "partner organisation name")
_START_DATE = ("practice to pcn relationship start date", "relationship start date")
_END_DATE = ("practice to pcn relationship end date", "relationship end date")
# How a missing column is named to the user.
_LABELS = {
    "pcn_code": "'PCN Code'",
    "pcn_name": "'PCN Name'",
    "commissioner_code": "commissioner code (CCG or Sub ICB Location)",
    "commissioner_name": "commissioner name (CCG or Sub ICB Location)",
    "open_date": "'Open Date'",
    "partner_code": "'Partner Organisation Code'",
    "partner_name": "'Partner Name'",
}


#: The national file has about 1,250 networks and 6,500 partner rows.
MAX_SHEET_ROWS = 50_000


def read_epcn(path: Path, as_of: dt.date | None = None) -> EpcnFile:
    """Return the networks of an ePCN workbook with the partners current on `as_of` (today).

    A relationship or network whose end date is before `as_of` is left out; the count of
    ended relationships and the closed networks are returned so the caller can say so.
    Raises InputFileError when the file is missing or is not an ePCN workbook.
    """
    as_of = as_of or dt.date.today()
    workbook = _open_workbook(path)
    try:
        details_sheet, partners_sheet = _find_sheets(path, workbook.sheetnames)
        problems: list[str] = []
        networks, closed = _read_details(path, workbook[details_sheet], as_of, problems)
        ended = _attach_partners(
            path,
            workbook[partners_sheet],
            {n.code: n for n in networks + closed},
            as_of,
            problems,
        )
    finally:
        workbook.close()
    return EpcnFile(networks, closed, ended, problems)


def _open_workbook(path: Path) -> Any:
    """Return the workbook opened read-only with cached values; raise InputFileError."""
    if not path.exists():
        raise InputFileError(path, "no such file")
    if path.is_dir():
        raise InputFileError(path, "is a folder, not an ePCN .xlsx file")
    if not path.is_file():  # a pipe or a device would hang the workbook reader
        raise InputFileError(path, "is not a file (a device or a pipe)")
    # Imported here so that importing pcndocs stays quick for commands that never read xlsx.
    import openpyxl  # type: ignore[import-untyped, unused-ignore]
    from openpyxl.utils.exceptions import (  # type: ignore[import-untyped, unused-ignore]
        InvalidFileException,
    )

    try:
        with warnings.catch_warnings():
            # Warnings about Excel features openpyxl skips (styles, validation) are not ours.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError):
        raise InputFileError(path, "not an Excel .xlsx workbook") from None
    except OSError as exc:
        raise InputFileError(path, f"cannot be read ({exc.strerror or exc})") from None


def _sheet_key(name: str) -> str:
    """Return a sheet name reduced to its letters in lower case: 'PCN Details' -> 'pcndetails'."""
    return re.sub(r"[^a-z]", "", name.lower())


def _find_sheets(path: Path, names: Sequence[str]) -> tuple[str, str]:
    """Return the names of the network sheet and the core partner sheet."""
    details = [n for n in names if _sheet_key(n) == "pcndetails"] or [
        n
        for n in names
        if "pcn" in _sheet_key(n) and "detail" in _sheet_key(n) and "partner" not in _sheet_key(n)
    ]
    partners = [n for n in names if _sheet_key(n) == "pcncorepartnerdetails"] or [
        n for n in names if "corepartner" in _sheet_key(n) and "noncore" not in _sheet_key(n)
    ]
    if not details or not partners:
        missing = "PCN Details" if not details else "PCN Core Partner Details"
        listed = ", ".join(repr(n) for n in names)
        raise InputFileError(path, f"no {missing!r} sheet (sheets: {listed}); not an ePCN file?")
    return details[0], partners[0]


def _rows(path: Path, sheet: Worksheet) -> Iterator[tuple[Any, ...]]:
    """Return an iterator over the rows of a sheet, as tuples of cell values.

    The sheet is read to the end at once (a few thousand rows), so openpyxl closes its
    file even when a caller stops early on a missing column.
    """
    rows: list[tuple[Any, ...]] = []
    try:
        for row in sheet.iter_rows(values_only=True):
            rows.append(row)
            if len(rows) > MAX_SHEET_ROWS:
                raise InputFileError(
                    path,
                    f"sheet {sheet.title!r}, row {len(rows):,}: more than {MAX_SHEET_ROWS:,} "
                    "rows; the national file has a few thousand (is this the ePCN file?)",
                )
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputFileError(path, f"sheet {sheet.title!r} cannot be read ({exc})") from None
    return iter(rows)


def _read_details(
    path: Path, sheet: Worksheet, as_of: dt.date, problems: list[str]
) -> tuple[list[Network], list[Network]]:
    """Return the open networks and the closed ones of the PCN Details sheet."""
    rows = _rows(path, sheet)
    columns = _columns(
        path,
        sheet.title,
        rows,
        {
            "pcn_code": _PCN_CODE,
            "pcn_name": _PCN_NAME,
            "commissioner_code": _COMMISSIONER_CODE,
            "commissioner_name": _COMMISSIONER_NAME,
            "open_date": _OPEN_DATE,
        },
        optional={"close_date": _CLOSE_DATE},
    )
    open_networks: list[Network] = []
    closed: list[Network] = []
    seen: dict[str, str] = {}  # PCN code -> the name of its first row
    for row in rows:
        code = _text(columns.get(row, "pcn_code")).upper()
        if not code:
            continue  # blank rows at the end of a sheet
        name = _text(columns.get(row, "pcn_name"))
        if code in seen:  # one code, two networks: which is meant cannot be known
            problems.append(
                f"{code}: listed twice in {sheet.title!r} ({seen[code]!r} and {name!r}); "
                "only the first is imported"
            )
            continue
        seen[code] = name
        network = Network(
            code=code,
            name=name,
            commissioner_code=_text(columns.get(row, "commissioner_code")).upper(),
            commissioner_name=_text(columns.get(row, "commissioner_name")),
            open_date=_date(columns.get(row, "open_date"), f"{code} {name}: open date", problems),
            close_date=_date(
                columns.get(row, "close_date"), f"{code} {name}: close date", problems
            ),
        )
        is_closed = network.close_date is not None and network.close_date < as_of
        (closed if is_closed else open_networks).append(network)
    return open_networks, closed


def _attach_partners(
    path: Path,
    sheet: Worksheet,
    networks: dict[str, Network],
    as_of: dt.date,
    problems: list[str],
) -> int:
    """Add each current partner to its network; return how many relationships had ended."""
    rows = _rows(path, sheet)
    # The PCN Name column is left alone: in published copies it may be a formula with no value.
    columns = _columns(
        path,
        sheet.title,
        rows,
        {
            "partner_code": _PARTNER_CODE,
            "partner_name": _PARTNER_NAME,
            "pcn_code": _PCN_CODE,
        },
        optional={"start_date": _START_DATE, "end_date": _END_DATE},
    )
    ended = 0
    for row in rows:
        code = _text(columns.get(row, "partner_code")).upper()
        pcn_code = _text(columns.get(row, "pcn_code")).upper()
        if not code and not pcn_code:
            continue
        name = _text(columns.get(row, "partner_name"))
        end_date = _date(columns.get(row, "end_date"), f"{code} {name}: end date", problems)
        if end_date and end_date < as_of:
            ended += 1
            continue
        network = networks.get(pcn_code)
        if network is None:
            problems.append(
                f"{code} {name}: its network {pcn_code or '(blank)'} is not among the "
                f"networks of {path.name}; left out"
            )
            continue
        if any(p.code == code for p in network.practices):
            problems.append(f"{network.code} {network.name}: {code} {name} is listed twice")
            continue
        start_date = _date(columns.get(row, "start_date"), f"{code} {name}: start date", problems)
        if start_date and start_date > as_of:
            # Kept: an import ahead of a new contract year wants the coming members.
            problems.append(
                f"{network.code} {network.name}: {code} {name} joins on {start_date}; included"
            )
        network.practices.append(Partner(code, name))
    return ended


def _columns(
    path: Path,
    sheet: str,
    rows: Iterator[tuple[Any, ...]],
    required: dict[str, tuple[str, ...]],
    optional: dict[str, tuple[str, ...]],
) -> Columns:
    """Return the column positions of a sheet, read from its header row; raise if missing.

    The header is the first row holding the first required field's column.
    """
    first = next(iter(required))
    header = find_header_row(rows, required[first])
    if header is None:
        raise InputFileError(path, f"sheet {sheet!r} has no {_LABELS[first]} column")
    try:
        return Columns.from_header(header, required, optional)
    except KeyError as exc:
        field = str(exc.args[0])
        raise InputFileError(path, f"sheet {sheet!r} has no {_LABELS[field]} column") from None


def _text(value: object) -> str:
    """Return a cell value as text with whitespace collapsed; empty for a blank cell."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _date(value: object, what: str, problems: list[str]) -> dt.date | None:
    """Return a cell date given as 20191001, '20191001', '2019-10-01' or a real date.

    A value that is not a date is reported in `problems` (named by `what`) and read as None.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in ("%Y%m%d", "%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    problems.append(f"{what} {text!r} is not a date; ignored")
    return None
