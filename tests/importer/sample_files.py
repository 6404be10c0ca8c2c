"""Sample national files in each layout, small enough to read at a glance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

# The day the fixture imports run on: after the ended relationships, before the later files.
AS_OF = dt.date(2024, 1, 15)


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    """Write a workbook with the given sheets of rows and return its path."""
    import openpyxl  # type: ignore[import-untyped, unused-ignore]

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


# The December 2019 layout: CCG columns, numeric dates, a formula in the partner PCN Name.
EPCN_2019_DETAILS = [
    (
        "PCN Code", "PCN Name", "Current Clinical Commissioning Group Code",
        "Clinical Commissioning Group Name", "Open Date (YYYYMMDD)", "Close Date",
        "Address Line 1", "Address Line 2", "Address Line 3", "Address Line 4",
        "Address Line 5", "Postcode",
    ),
    ("U00001", "CENTRAL TESTTOWN PCN", "99A", "NHS TESTTOWN CCG", 20191001, None,
     "1 HIGH ST", None, None, "TESTTOWN", None, "TT1 1AA"),
    ("U00002", 'ST JOHN\'S: "NORTH" #1 PCN', "99A", "NHS TESTTOWN CCG", 20191001, None,
     "2 HIGH ST", None, None, "TESTTOWN", None, "TT1 1AB"),
    ("U00003", "BARROW-IN-FURNESS PCN", "01K", "NHS MORECAMBE BAY CCG", 20191201, None,
     "3 DUKE ST", None, None, "BARROW", None, "LA14 1AA"),
    ("U00004", "OLD TOWN PCN", "01K", "NHS MORECAMBE BAY CCG", 20191001, 20200331,
     "4 DUKE ST", None, None, "BARROW", None, "LA14 1AB"),
]  # fmt: skip

EPCN_2019_PARTNERS = [
    (
        "Partner Organisation Code", "Partner Name", "Practice Parent CCG Code",
        "Practice Parent CCG Name", "PCN Code", "PCN Name", "PCN Parent CCG Code",
        "PCN Parent CCG Name", "Practice to PCN Relationship Start Date",
        "Practice to PCN Relationship End Date", "Practice CCG and PCN CCG match?",
    ),
    ("A00001", "THE EXAMPLE SURGERY", "99A", "NHS TESTTOWN CCG", "U00001",
     "=VLOOKUP(E2,'PCN Details'!A:B,2,FALSE)", "99A", "NHS TESTTOWN CCG", 20191001, None, "=G2=C2"),
    ("A00002", "DR A PATEL'S PRACTICE", "99A", "NHS TESTTOWN CCG", "U00001",
     "=VLOOKUP(E3,'PCN Details'!A:B,2,FALSE)", "99A", "NHS TESTTOWN CCG", 20191001, None, "=G3=C3"),
    # Left the network on 31 March 2020: not a member on AS_OF.
    ("A00003", "ENDED MEDICAL CENTRE", "99A", "NHS TESTTOWN CCG", "U00001",
     "=VLOOKUP(E4,'PCN Details'!A:B,2,FALSE)", "99A", "NHS TESTTOWN CCG", 20191001, 20200331,
     "=G4=C4"),
    ("Y00004", "ST JOHN'S HEALTH CENTRE", "99A", "NHS TESTTOWN CCG", "U00002",
     "=VLOOKUP(E5,'PCN Details'!A:B,2,FALSE)", "99A", "NHS TESTTOWN CCG", 20191001, None, "=G5=C5"),
    ("A00005", "NO LIST SURGERY", "99A", "NHS TESTTOWN CCG", "U00002",
     "=VLOOKUP(E6,'PCN Details'!A:B,2,FALSE)", "99A", "NHS TESTTOWN CCG", 20191001, None, "=G6=C6"),
    # Not a practice code: a community trust as a core partner.
    ("RXX01", "TESTTOWN COMMUNITY TRUST", "01K", "NHS MORECAMBE BAY CCG", "U00003",
     "=VLOOKUP(E7,'PCN Details'!A:B,2,FALSE)", "01K", "NHS MORECAMBE BAY CCG", 20191201, None,
     "=G7=C7"),
    ("A00006", "DALTON-IN-FURNESS SURGERY", "01K", "NHS MORECAMBE BAY CCG", "U00003",
     "=VLOOKUP(E8,'PCN Details'!A:B,2,FALSE)", "01K", "NHS MORECAMBE BAY CCG", 20191201, None,
     "=G8=C8"),
    ("A00007", "OLD TOWN SURGERY", "01K", "NHS MORECAMBE BAY CCG", "U00004",
     "=VLOOKUP(E9,'PCN Details'!A:B,2,FALSE)", "01K", "NHS MORECAMBE BAY CCG", 20191001, None,
     "=G9=C9"),
]  # fmt: skip

# A later layout: sheet "PCNDetails", Sub ICB Location columns, line breaks in headers,
# columns in another order, a title row above the header, real dates and text dates.
EPCN_LATER_DETAILS = [
    ("Primary Care Networks, April 2026",),
    (
        "PCN\nName", "PCN Code", "Current Sub ICB\nLocation Code", "Sub ICB Location\nName",
        "Open\nDate", "Close\nDate", "Postcode",
    ),
    ("CENTRAL TESTTOWN PCN", "U00001", "99A", "NHS CHESHIRE AND MERSEYSIDE ICB - 99A",
     dt.datetime(2019, 10, 1), None, "TT1 1AA"),
    ("RIVERSIDE PCN", "U00010", "27D", "NHS CHESHIRE AND MERSEYSIDE ICB - 27D",
     "20230401", None, "CH1 1AA"),
]  # fmt: skip

EPCN_LATER_PARTNERS = [
    (
        "PCN Code", "PCN Name", "Partner\nOrganisation Code", "Partner  Name",
        "Practice Parent Sub ICB Location Code", "Practice to PCN\nRelationship Start Date",
        "Practice to PCN\nRelationship End Date",
    ),
    ("U00001", None, "A00001", "THE EXAMPLE SURGERY", "99A", "20191001", None),
    ("U00001", None, "A00002", "DR A PATEL'S PRACTICE", "99A", "20191001", "20230331"),
    ("U00010", None, "A00002", "DR A PATEL'S PRACTICE", "27D", "20230401", None),
    ("U00010", None, "A00008", "RIVERSIDE MEDICAL CENTRE", "27D", dt.datetime(2023, 4, 1),
     dt.datetime(2030, 3, 31)),
]  # fmt: skip


LISTS_2021 = """\
PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS
GP_PRAC_PAT_LIST,01JAN2021,GP,99A,E38000101,A00001,TT1 1AA,ALL,ALL,12345
GP_PRAC_PAT_LIST,01JAN2021,GP,99A,E38000101,A00002,TT1 1AC,ALL,ALL,6789
GP_PRAC_PAT_LIST,01JAN2021,GP,99A,E38000101,A00003,TT1 1AD,ALL,ALL,4000
GP_PRAC_PAT_LIST,01JAN2021,GP,99A,E38000101,Y00004,TT1 1AE,ALL,ALL,2500
GP_PRAC_PAT_LIST,01JAN2021,GP,01K,E38000216,A00006,LA15 1AA,ALL,ALL,8000
GP_PRAC_PAT_LIST,01JAN2021,GP,01K,E38000216,A00007,LA14 1AC,ALL,ALL,3000
"""

# A later layout: Sub ICB Location columns, ISO dates, columns in another order, and rows
# that are not practice totals (a breakdown by sex, another organisation type).
LISTS_LATER = """\
PUBLICATION,EXTRACT_DATE,TYPE,SUB_ICB_LOCATION_CODE,ONS_SUB_ICB_LOCATION_CODE,CODE,SEX,AGE,\
POSTCODE,NUMBER_OF_PATIENTS
GP_PRAC_PAT_LIST,2026-04-01,GP,99A,E38000101,A00001,ALL,ALL,TT1 1AA,12500
GP_PRAC_PAT_LIST,2026-04-01,GP,99A,E38000101,A00001,MALE,ALL,TT1 1AA,6200
GP_PRAC_PAT_LIST,2026-04-01,GP,27D,E38000222,A00002,ALL,ALL,CH1 1AB,7001
GP_PRAC_PAT_LIST,2026-04-01,GP,27D,E38000222,A00008,ALL,ALL,CH1 1AC,"15,002"
GP_PRAC_PAT_LIST,2026-04-01,SUB_ICB,99A,E38000101,99A,ALL,ALL,,2000000
"""
