"""Writes the profile `pcndocs new` made: commented YAML, never over a file unless forced."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pcndocs.errors import PcndocsError
from pcndocs.facts import Facts
from pcndocs.files import write_atomically
from pcndocs.funding import funded_sessions
from pcndocs.new.questions import MAX_DIRECTORS
from pcndocs.profile.model import Profile
from pcndocs.profile.write import profile_data, profile_yaml


def profile_text(profile: Profile, facts: Facts, file_name: str, today: date) -> str:
    """Return the profile as hand-written YAML, with a comment that explains each key."""
    shown = file_name if file_name.isprintable() and file_name else "this-file.yaml"
    years = list(facts.funding.years)
    funded = funded_sessions(profile.population, facts)
    notes = {
        "contract_year": f"selects the national funding rates ({years[0]} to {years[-1]})",
        "clinical_directors": f"one, or up to {MAX_DIRECTORS} sharing",
        "clinical_directors[0].sessions_per_week": f"agreed; funded: {funded:.2f}",
        "leads": "each takes on one workstream"
        if profile.leads
        else "none yet; profiles/example.yaml shows some",
    }
    for i, lead in enumerate(profile.leads):
        if isinstance(lead.workstream, str):  # a local one is written with its title
            notes[f"leads[{i}].workstream"] = facts.workstream(lead.workstream).title
    hints = {
        "network.code": "U00000",
        "network.commissioner": "NHS ...",
        "network.area": "...",
        "practices[0].signatory": "{name: ..., role: ...}",
        "clinical_directors[0].start_date": "YYYY-MM-DD",
        "document_control": "{author: ..., approved_by: ..., review_date: YYYY-MM-DD}",
    }
    header = [
        f"A network profile for pcndocs, written by `pcndocs new` on {today.isoformat()}.",
        f"Check it with:  pcndocs check {shown}",
        f"Build it with:  pcndocs build {shown}",
        "`pcndocs schema` describes every key; profiles/example.yaml shows the optional ones.",
    ]
    return profile_yaml(profile_data(profile), header, notes, hints)


def refuse_to_replace(path: Path, force: bool) -> None:
    """Raise a user's error if a profile would replace a file, unless forced."""
    if path.exists() and not force:
        raise PcndocsError(f"{path} already exists; give another name or add --force")
    if path.exists() and not path.is_file():  # asked before the questions, not after
        raise PcndocsError(f"{path} is not a file (a device or a pipe); give another name")


def write_new_profile(path: Path, profile: Profile, facts: Facts, today: date) -> None:
    """Write the profile `pcndocs new` made, commented, to path (atomically)."""
    write_atomically(path, profile_text(profile, facts, path.name, today).encode("utf-8"))
