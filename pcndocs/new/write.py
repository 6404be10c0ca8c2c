"""Writes the profile `pcndocs new` made: commented YAML, never over a file unless forced."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from pcndocs.errors import PcndocsError, Problem, ProfileError
from pcndocs.files import write_atomically
from pcndocs.new.fill import PartialProfile, filled_data
from pcndocs.new.questions import MAX_DIRECTORS
from pcndocs.profile.load import validate_profile
from pcndocs.profile.model import Profile
from pcndocs.profile.write import profile_data, profile_yaml
from pcndocs.profile.yamlfile import KeyPath, parse_yaml, read_text
from pcndocs.rules.facts import Facts
from pcndocs.rules.funding import funded_sessions, payment_made, sessions_number


def profile_text(profile: Profile, facts: Facts, file_name: str, today: date) -> str:
    """Return the profile as hand-written YAML, with a comment that explains each key."""
    made = f"written by `pcndocs new` on {today.isoformat()}"
    return filled_text(profile_data(profile), profile, facts, file_name, made)


def filled_text(
    data: dict[str, Any],
    profile: Profile | None,
    facts: Facts,
    file_name: str,
    made: str,
    kept: Mapping[str, str] | None = None,
    earlier: Sequence[str] = (),
) -> str:
    """Return a profile's data as commented YAML; profile, if it is valid, for the figures.

    kept are the comments of a profile filled in, by key; earlier, the lines of its header.
    """
    shown = file_name if file_name.isprintable() and file_name else "this-file.yaml"
    years = list(facts.funding.years)
    notes = {
        "contract_year": f"selects the national funding rates ({years[0]} to {years[-1]})",
        "clinical_directors": f"one, or up to {MAX_DIRECTORS} sharing",
        "leads": "each takes on one workstream"
        if data.get("leads")
        else "none yet; profiles/example.yaml shows some",
    }
    if profile is not None:
        funded = funded_sessions(profile.population, facts)
        year = profile.contract_year or facts.funding.latest
        what = (
            "funded"
            if payment_made(year, facts)
            else f"guide, the time funded until {facts.funding.cd_basis.last_paid}"
        )
        notes["clinical_directors[0].sessions_per_week"] = (
            f"agreed; {what}: {sessions_number(funded)}"
        )
        for i, lead in enumerate(profile.leads):
            if isinstance(lead.workstream, str) and lead.workstream in facts.workstreams.ids:
                notes[f"leads[{i}].workstream"] = facts.workstream(lead.workstream).title
    hints = {
        "network.code": "U00000",
        "network.commissioner": "NHS ...",
        "network.area": "...",
        "practices[0].signatory": "{name: ..., role: ...}",
        "clinical_directors[0].start_date": "YYYY-MM-DD",
        "document_control": "{author: ..., approved_by: ..., review_date: YYYY-MM-DD}",
    }
    notes.update(kept or {})
    header = [
        f"A network profile for pcndocs, {made}.",
        *earlier,
        f"Check it with:  pcndocs check {shown}",
        f"Build it with:  pcndocs build {shown}",
        "`pcndocs schema` describes every key; profiles/example.yaml shows the optional ones.",
    ]
    return profile_yaml(data, header, notes, hints)


def refuse_to_replace(path: Path, force: bool) -> None:
    """Raise a user's error if a profile would replace a file, unless forced."""
    if path.exists() and not force:
        raise PcndocsError(f"{path} already exists; give another name or add --force")
    if path.exists() and not path.is_file():  # asked before the questions, not after
        raise PcndocsError(f"{path} is not a file (a device or a pipe); give another name")


def write_new_profile(path: Path, profile: Profile, facts: Facts, today: date) -> None:
    """Write the profile `pcndocs new` made, commented, to path (atomically)."""
    write_atomically(path, profile_text(profile, facts, path.name, today).encode("utf-8"))


def write_filled_profile(
    path: Path,
    partial: PartialProfile,
    answered: Profile,
    asked: Iterable[KeyPath],
    facts: Facts,
    today: date,
) -> list[Problem]:
    """Write a profile filled in by `new --from`; return the problems it still has.

    It is written even with problems no question covers (an unknown key, say), so that
    no answer is lost; they are for the user to mend, as `check` names them. The comments
    of the profile given are kept beside the values kept.
    """
    asked = set(asked)
    data = filled_data(partial.document, answered, asked)
    made = f"filled in by `pcndocs new --from` on {today.isoformat()}, from {partial.document.path}"
    kept = partial.comments(asked)
    draft = filled_text(data, None, facts, path.name, made)
    problems: list[Problem] = []
    profile: Profile | None = None
    try:
        profile = validate_profile(parse_yaml(draft, str(path)), facts.known_ids()).profile
    except ProfileError as exc:
        problems = exc.problems
    text = filled_text(data, profile, facts, path.name, made, kept, partial.header())
    write_atomically(path, text.encode("utf-8"))
    return problems


def read_partial_profile(path: Path, facts: Facts) -> PartialProfile:
    """Return a profile to fill in; raise the error `check` gives if it cannot be read."""
    text = read_text(path)
    document = parse_yaml(text, str(path))
    if not isinstance(document.data, dict):
        validate_profile(document, facts.known_ids())  # raises check's own message
    return PartialProfile(text, document)
