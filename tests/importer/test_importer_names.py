"""Names as people write them, from names found in the December 2019 ePCN file."""

from __future__ import annotations

import pytest

from pcndocs.importer.names import format_name


@pytest.mark.parametrize(
    ("written_in_file", "as_people_write_it"),
    [
        # Networks
        ("CENTRAL LIVERPOOL PCN", "Central Liverpool PCN"),
        ("THE PICTON PCN", "The Picton PCN"),
        ("CHILDWALL & WAVERTREE PCN", "Childwall & Wavertree PCN"),
        ("MODALITY (KEIGHLEY)  PCN", "Modality (Keighley) PCN"),
        ("LiGA WIGAN PCN", "LiGA Wigan PCN"),
        ("SOUTH EAST OXFORD HEALTH ALLIANCE (SEOxHA) PCN",
         "South East Oxford Health Alliance (SEOxHA) PCN"),
        ("4PCC (BNSSG) PCN", "4PCC (BNSSG) PCN"),
        ("NORTH & SOUTH GLOUCESTER (NSG) PCN", "North & South Gloucester (NSG) PCN"),
        ("A34 WEST BERKSHIRE PCN", "A34 West Berkshire PCN"),
        ("LS25/LS26 PCN", "LS25/LS26 PCN"),
        ("BD4+ PCN", "BD4+ PCN"),
        ("CITY - OX3+ PCN", "City - OX3+ PCN"),
        ("HARINGEY - N15/SOUTH EAST PCN", "Haringey - N15/South East PCN"),
        ("BRUNEL HEALTH GROUP PCN1", "Brunel Health Group PCN1"),
        ("SWB TOGETHER4HEALTHCARE PCN", "SWB Together4Healthcare PCN"),
        ("HEART OF BATH PCN", "Heart of Bath PCN"),
        ("RURAL AND NORTH PCN", "Rural and North PCN"),
        ("PHOENIX @ PANACEA NEL PCN", "Phoenix @ Panacea NEL PCN"),
        ("NETWORK II PCN", "Network II PCN"),
        # A practice named after its doctor keeps the initials, even ones that spell a word
        ("DR AT BRADFORD'S PRACTICE", "Dr AT Bradford's Practice"),
        ("HEALTH CENTRE AT THE PARK", "Health Centre at the Park"),
        # Commissioners
        ("NHS LIVERPOOL CCG", "NHS Liverpool CCG"),
        ("NHS DURHAM DALES, EASINGTON AND SEDGEFIELD CCG",
         "NHS Durham Dales, Easington and Sedgefield CCG"),
        ("NHS BLACKBURN WITH DARWEN CCG", "NHS Blackburn with Darwen CCG"),
        ("NHS CENTRAL LONDON (WESTMINSTER) CCG", "NHS Central London (Westminster) CCG"),
        ("NHS CHESHIRE AND MERSEYSIDE ICB - 99A", "NHS Cheshire and Merseyside ICB - 99A"),
        # Practices
        ("ST JOHN'S", "St John's"),
        ("ST JOHN'S HEALTH CENTRE", "St John's Health Centre"),
        ("BARROW-IN-FURNESS", "Barrow-in-Furness"),
        ("STOCKTON-ON-TEES", "Stockton-on-Tees"),
        ("STANFORD-LE-HOPE", "Stanford-le-Hope"),
        ("HORDON-ON-THE-HILL", "Hordon-on-the-Hill"),
        ("HENLEY-IN-ARDEN", "Henley-in-Arden"),
        ("WALK-IN CENTRE", "Walk-in Centre"),
        ("THE SURGERY @ AYLESTONE", "The Surgery @ Aylestone"),
        ("DR A PATEL", "Dr A Patel"),
        ("DR GI JONES' PRACTICE", "Dr GI Jones' Practice"),
        ("DR J H ROBERTS & PARTNERS", "Dr J H Roberts & Partners"),
        ("DR. PRASAD'S", "Dr. Prasad's"),
        ("PRACTICE (JA WOOD)", "Practice (JA Wood)"),
        ("O'CONNELL", "O'Connell"),
        ("MCMURRAY'S SURGERY", "McMurray's Surgery"),
        ("KING'S LYNN P'SHIP", "King's Lynn P'ship"),
        ("DOCTORS' SURGERY", "Doctors' Surgery"),
        ("MED.CTR.", "Med.Ctr."),
        ("MILL STREET MEDICAL CTR.", "Mill Street Medical Ctr."),
        ("4TH AVENUE SURGERY", "4th Avenue Surgery"),
        ("(THE GRANGE)", "(The Grange)"),
        ("CFH&W PARTN", "CFH&W Partn"),
        ("HULL BEVAN LTD PCN", "Hull Bevan Ltd PCN"),
        ("KINGS GPS", "Kings GPs"),
        # Already cased by a person, and unusual input
        ("Central Liverpool PCN", "Central Liverpool PCN"),
        ("central liverpool pcn", "Central Liverpool PCN"),
        ("  THE  GROVE\tSURGERY ", "The Grove Surgery"),
        ("", ""),
    ],
)  # fmt: skip
def test_format_name(written_in_file: str, as_people_write_it: str) -> None:
    assert format_name(written_in_file) == as_people_write_it


def test_format_name_is_stable() -> None:
    once = format_name("ST MARY'S SURGERY-ON-THE-HILL (DR AB SMITH)")
    assert once == "St Mary's Surgery-on-the-Hill (Dr AB Smith)"
    assert format_name(once) == once
