"""The network profile as typed, frozen models: the contract of the YAML format."""

from __future__ import annotations

import re
import types
import typing
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from pcndocs import years
from pcndocs.profile.codes import ORGANISATION_CODE, PCN_CODE, is_practice_code
from pcndocs.profile.yearwords import WORDS, long_date
from pcndocs.text import one_line

# Practices, leads or local duties in one profile: the largest networks have a few dozen.
MAX_ITEMS = 200


def _ods_code(value: str) -> str:
    code = value.strip().upper()
    if not is_practice_code(code):
        raise ValueError(f"expected an ODS code: a letter and five digits (A81001), got '{value}'")
    return code


def _org_code(value: str) -> str:
    code = value.strip().upper()
    if not ORGANISATION_CODE.fullmatch(code):
        raise ValueError(
            f"expected an ODS code: three to six letters and digits (A81001, RXX), got '{value}'"
        )
    return code


def _pcn_code(value: str) -> str:
    code = value.strip().upper()
    if not PCN_CODE.fullmatch(code):
        raise ValueError(f"expected a PCN code: U and five digits (U35980), got '{value}'")
    return code


def _digits_as_text(value: Any) -> Any:
    """Return a whole number written without quotes as text, so a code's error names the code."""
    return str(value) if type(value) is int else value


# A short value (a name, a role) is one line: its tabs and line breaks become spaces.
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(one_line),
]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
OdsCode = Annotated[str, BeforeValidator(_digits_as_text), AfterValidator(_ods_code)]
PcnCode = Annotated[str, BeforeValidator(_digits_as_text), AfterValidator(_pcn_code)]
# An organisation's ODS code: a practice's (A81001), a trust's (RXX) or another provider's.
OrganisationCode = Annotated[
    str,
    BeforeValidator(_digits_as_text),
    AfterValidator(_org_code),
]
ContractYear = Annotated[str, BeforeValidator(_digits_as_text), AfterValidator(years.checked)]


#: What a message says of a value required and not given (code decides by the kind, "missing").
REQUIRED = "is required but missing"


def _required(value: Any, info: ValidationInfo) -> Any:
    """Refuse a missing value, unless building blank templates where it becomes a placeholder."""
    if (value is None or value == []) and not (info.context or {}).get("blank"):
        raise PydanticCustomError("missing", REQUIRED)
    return value


# A value every document needs. Missing, it is an error, or in a blank build a placeholder.
Needed = AfterValidator(_required)


def _needed_when(value: Any, info: ValidationInfo, condition: bool, what: str) -> None:
    """Refuse a missing value that another key's choice makes necessary (not in blank builds)."""
    if condition and value is None and not (info.context or {}).get("blank"):
        raise PydanticCustomError("missing", f"is required with {what} cover but missing")


def _shape(value: Any) -> str:
    """Pick the union member by the value's shape, so errors speak of that member only."""
    return "as-keys" if isinstance(value, dict) else "as-text"


def _schema_required(
    schema: dict[str, Any], model: type[BaseModel], also: tuple[str, ...] = ()
) -> None:
    """List the Needed fields as required in the JSON Schema, for editors' checks."""
    needed = [n for n, f in model.model_fields.items() if Needed in f.metadata or n in also]
    if needed:
        schema["required"] = sorted({*schema.get("required", []), *needed}, key=needed.index)


class Model(BaseModel):
    """Base of every profile model: unknown keys are errors and values never change."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        allow_inf_nan=False,
        validate_default=True,
        json_schema_extra=_schema_required,
        cache_strings=False,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_true_or_false_as_number(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse true and false (and YAML's yes, no, on, off) where a number is expected."""
        if isinstance(value, bool) and info.field_name is not None:
            kinds = _number_kinds(cls.model_fields[info.field_name].annotation)
            if kinds:
                raise _not_a_number(kinds, str(value).lower(), quoted=False)
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _as_people_write(cls, value: Any, info: ValidationInfo) -> Any:
        """Read 12,450, £350, 01/04/2026 and a choice in words (non-clinical), as `new` does."""
        if info.field_name is None:
            return value
        return as_people_write(value, cls.model_fields[info.field_name].annotation)


# A number as people write it: 12450, 12,450, 2.5, £350, £1,234.50 (commas only in threes).
_PEOPLES_NUMBER = re.compile(
    r"^£?\s*(?:(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?P<part>\.[0-9]*)?|(?P<only>\.[0-9]+))$"
)
_BRITISH_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")


def british_date(text: str) -> date | None:
    """Return the date of text written as people in England write it (01/04/2026), or None.

    A date written so that does not exist (31/02/2026) is a ValueError.
    """
    match = _BRITISH_DATE.match(text.strip())
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"expected a date that exists, got '{text}'") from None


def peoples_number(text: str) -> int | float | None:
    """Return the number in text written as people write it (12,450; £350; 2.5), or None."""
    match = _PEOPLES_NUMBER.match(text.strip())
    if match is None:
        return None
    if match["only"]:
        return float(match["only"])
    whole = match["whole"].replace(",", "")
    return float(whole + match["part"]) if match["part"] else int(whole)


# Text that is nearly a number as people write it: what to write instead, in plain words.
_SCIENTIFIC = re.compile(r"£?\s*[0-9_]*\.?[0-9_]*[eE][-+]?[0-9]+")
_MISPLACED_COMMA = re.compile(r"£?\s*[0-9][0-9,]*(?:\.[0-9]*)?")
_UNDERSCORED = re.compile(r"[0-9]+(?:_+[0-9]+)+(?:\.[0-9]+)?")
_SIGNED = re.compile(r"£?\s*[-+]\s*£?\s*(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)")


def number_hint(text: str) -> str:
    """Return why text is not a number as people write it, and what to write, or ''.

    For the forms a spreadsheet or a programmer might give: 1e3, 1,0.00, 1_000, -.5. A profile file
    and the web form say it after "expected a number, got ..."; so does `pcndocs new`.
    """
    body = text.strip()
    if _SCIENTIFIC.fullmatch(body) and any(c.isdigit() for c in body.split("e")[0].lower()):
        try:
            value = Decimal(body.lstrip("£").strip().replace("_", ""))
        except InvalidOperation:
            value = None
        # The same number in digits, where it is of a size a profile could hold.
        sized = value is not None and value.is_finite() and abs(value.adjusted()) <= 12
        plain = f" ({body} is {value.normalize():f})" if value is not None and sized else ""
        return f"write it in plain digits{plain}"
    if _UNDERSCORED.fullmatch(body):
        return "write it without underscores; a comma may separate thousands, as in 12,450"
    if _MISPLACED_COMMA.fullmatch(body) and "," in body:
        return "a comma may only separate thousands, as in 12,450; a part follows a point: 2.50"
    if _SIGNED.fullmatch(body):
        # Every number of a profile is 0 or more (the model's bounds), so no sign is needed.
        below = ": it cannot be below 0" if "-" in body else ""
        return f"write the number without a + or - sign{below}"
    return ""


def not_a_number(expected: str, text: str, quoted: bool = True) -> str:
    """Return the message for text that is not a number, with what to write where it helps.

    `quoted` False shows a value YAML read as a word of its own (true) as it is.
    """
    hint = number_hint(text)
    got = f"'{text}'" if quoted else text
    return f"expected {expected}, got {got}" + (f": {hint}" if hint else "")


def _not_a_number(kinds: set[type], text: str, quoted: bool = True) -> PydanticCustomError:
    """Return the error of a value that is not a number where one is expected (a type error).

    Its context's "plain" is the whole message, which profile/explain says as it is.
    """
    if kinds == {int}:
        message = not_a_number("a whole number", text, quoted)
        return PydanticCustomError("int_parsing", "{plain}", {"plain": message})
    message = not_a_number("a number", text, quoted)
    return PydanticCustomError("float_parsing", "{plain}", {"plain": message})


def as_people_write(value: Any, annotation: Any) -> Any:
    """Return a value written as people write it (12,450; 01/04/2026; Non-clinical) as the type
    it stands for.

    Text where a number is expected is refused unless it is a number as people write it.
    """
    if not isinstance(value, str):
        return value
    kinds = _number_kinds(annotation)
    if kinds:
        # Only the forms `pcndocs new` takes, so the file and `new` take the same numbers.
        number = peoples_number(value)
        if number is None:
            raise _not_a_number(kinds, value)
        return number
    accepts_date = annotation is date or date in typing.get_args(annotation)
    if accepts_date:
        return british_date(value) or value
    words = _choice_words(annotation)
    if words and choice_word(value) in words:
        return choice_word(value)  # 'Selection and election' is selection_and_election
    return value


def choice_word(text: str) -> str:
    """Return text folded to a choice's key word: 'Non-clinical' -> 'non_clinical'.

    The file and `pcndocs new` both read a choice so, and so take the same spellings.
    """
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _choice_words(annotation: Any) -> set[str]:
    """Return the words a choice such as Literal['a', 'b'] | None allows (none if not one)."""
    if typing.get_origin(annotation) is Literal:
        return {arg for arg in typing.get_args(annotation) if isinstance(arg, str)}
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return set().union(*(_choice_words(arg) for arg in typing.get_args(annotation)))
    return set()


def _number_kinds(annotation: Any) -> set[type]:
    """Return the number types (int, float) an annotation such as float | None accepts."""
    if annotation in (int, float):
        return {annotation}
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return {arg for arg in typing.get_args(annotation) if arg in (int, float)}
    return set()


PayeeFunds = Literal["on_trust", "separate_account", "separate_account_on_trust"]


class Network(Model):
    name: Annotated[Text | None, Needed] = Field(
        None, description="The network's name, as it appears on its documents."
    )
    code: PcnCode | None = Field(None, description="PCN code: U and five digits.")
    commissioner: Text | None = Field(None, description="The commissioner (ICB or sub-ICB).")
    area: LongText | None = Field(None, description="The area the network covers, free text.")
    population_date: Annotated[date | None, Needed] = Field(
        None, description="The date the practices' list sizes refer to."
    )
    nominated_payee: Annotated[OrganisationCode | None, Needed] = Field(
        None,
        description="ODS code of the member practice, or of another provider (give its "
        "payee_name), that receives the network's funding.",
    )
    payee_name: Text | None = Field(
        None,
        description="Only where the nominated payee is not a member practice: the name of the "
        "provider, such as a GP federation, whose ODS code nominated_payee gives.",
    )
    payee_holds_funds: PayeeFunds | None = Field(
        None,
        description="How the nominated payee holds the network's funds: on_trust (on trust "
        "for the member practices), separate_account (in a separate bank account kept for the "
        "network) or separate_account_on_trust (both). Schedule 1 states it; where the payee "
        "is not a member practice and this is not given, it says it is still to be agreed.",
    )
    neighbourhood: LongText | None = Field(
        None,
        description="The neighbourhood the network serves, where its footprint is aligned with "
        f"neighbourhood boundaries (from {WORDS.neighbourhoods_first}).",
    )
    local_variation_agreement: bool | None = Field(
        None,
        description="Whether an ICB Local Variation Agreement applies to the network's practices "
        f"(possible from {long_date(WORDS.variation_from) or WORDS.variation_first}). Unset: "
        "Schedule 1 says nothing about one.",
    )
    local_variation_details: LongText | None = Field(
        None,
        description="What the Local Variation Agreement varies and when it was agreed, in a line.",
    )


class Signatory(Model):
    name: Text = Field(description="The person who signs the agreement for the practice.")
    role: Text | None = Field(None, description="Their role, such as Senior Partner.")


# Fewer registered patients than this is not a working practice's list: one closing, merging
# or just opened. England's smallest open practices have a little over a thousand.
SMALLEST_PLAUSIBLE_LIST = 1000


class Practice(Model):
    name: Annotated[Text | None, Needed] = Field(None, description="The practice's name.")
    ods_code: Annotated[OdsCode | None, Needed] = Field(
        None, description="The practice's ODS code: a letter and five digits, unique."
    )
    list_size: Annotated[int | None, Field(gt=0, le=500_000), Needed] = Field(
        None, description="Registered patients at the population date."
    )
    signatory: Signatory | None = Field(
        None, description="Who signs for the practice: {name:, role:}."
    )


class ClinicalDirector(Model):
    name: Annotated[Text | None, Needed] = Field(None, description="The clinical director's name.")
    profession: Text = Field("GP", description="Any practising clinician: GP, nurse, pharmacist.")
    practice: Annotated[OdsCode | None, Needed] = Field(
        None, description="ODS code of the member practice they come from."
    )
    sessions_per_week: Annotated[float | None, Field(gt=0, le=9), Needed] = Field(
        None, description="Sessions a week the network agrees to pay for (9 is full time)."
    )
    start_date: date | None = Field(None, description="When their current term began.")
    session_rate: float | None = Field(
        None,
        ge=0,
        le=5000,
        description="Pounds the network pays the director for each session: their pay, which is "
        "not the national funding. Unset: pay is shown as still to be agreed.",
    )
    annual_pay: float | None = Field(
        None,
        ge=0,
        le=500_000,
        description="Instead of session_rate: the pounds a year the network pays the director.",
    )

    @field_validator("annual_pay")
    @classmethod
    def _one_way_of_paying(cls, value: float | None, info: ValidationInfo) -> float | None:
        """Pay is a sessional rate or a yearly sum: both would disagree with each other."""
        if value is not None and info.data.get("session_rate") is not None:
            raise ValueError("give session_rate or annual_pay, not both")
        return value

    funded_share: float | None = Field(
        None,
        gt=0,
        le=1,
        description="Joint directors: the fraction of the national funding benchmark this "
        "director holds (the shares add up to 1); their own time and pay are their sessions "
        "and rate. Unset: shared in proportion to sessions.",
    )
    line_manages: list[Text] = Field(
        default_factory=list,
        description="Joint directors: whom this director line-manages, such as the PCN "
        "manager. Unset for all: the directors agree between them who line-manages whom.",
    )


Method = Literal["selection", "election", "selection_and_election"]
Majority = Literal["simple", "two_thirds", "unanimous"]
TieBreak = Literal["second_ballot", "drawing_lots", "joint_appointment"]
Voting = Literal["one_practice_one_vote", "list_size_weighted"]


class Appointment(Model):
    method: Annotated[Method | None, Needed] = Field(
        None, description="selection, election, or selection_and_election."
    )
    term_years: int = Field(3, ge=1, le=10, description="Length of one term of office, in years.")
    voting: Voting = Field(
        "one_practice_one_vote", description="One practice one vote, or weighted by list size."
    )
    majority: Majority = Field(
        "simple",
        description="The majority a candidate needs: simple (more than half the votes cast), "
        "two_thirds (of the votes cast), or unanimous (every member practice).",
    )
    nomination_days: int = Field(14, ge=1, le=90, description="Days nominations stay open.")
    notice_days: int = Field(
        28, ge=1, le=180, description="Days' notice given to practices before the vote or panel."
    )
    selection_panel: list[Text] = Field(
        default_factory=list,
        description="Who sits on the selection panel; unset: one representative of each practice.",
    )
    selection_criteria: list[Text] = Field(
        default_factory=list,
        description="Extra criteria for the panel, beyond the person specification.",
    )
    quorum_percent: int = Field(
        75, ge=1, le=100, description="Share of member practices (or of votes) that must take part."
    )
    tie_break: TieBreak = Field(
        "second_ballot",
        description="How a tie is broken: second_ballot, drawing_lots or joint_appointment.",
    )
    max_consecutive_terms: int | None = Field(
        None, ge=1, le=10, description="Terms in a row one person may serve; unset: no limit."
    )
    resignation_notice_months: int = Field(
        3, ge=0, le=12, description="Months' notice a clinical director gives to resign."
    )
    removal_majority: Majority = Field(
        "two_thirds",
        description="The majority of practices needed to remove a clinical director: simple, "
        "two_thirds or unanimous.",
    )
    interim_cover: Literal["deputy", "nominated_by_practices"] = Field(
        "nominated_by_practices",
        description="Who covers a vacancy: a deputy (name them in deputy), or someone the "
        "practices nominate.",
    )
    deputy: Text | None = Field(
        None, description="Name of the deputy who covers a vacancy; needed with deputy cover."
    )
    review_date: date | None = Field(
        None,
        description="When the members review this process; unset: the document_control "
        "review date.",
    )

    @field_validator("deputy")
    @classmethod
    def _deputy_named(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Deputy cover needs the deputy's name: a schedule cannot say 'the deputy' of no one."""
        _needed_when(value, info, info.data.get("interim_cover") == "deputy", "deputy")
        return value


Chair = Literal["clinical_director", "elected_by_members"]


def _default_unanimous_matters() -> list[str]:
    return [
        "admitting a new member practice, or agreeing how a practice leaves the network",
        "changing the nominated payee",
        "changing how the network's funding is shared between the member practices",
        "changing this schedule",
    ]


class Governance(Model):
    """How the member practices meet and make the network's decisions (Schedule 1)."""

    body_name: Text = Field(
        "Network Board",
        description="The name of the meeting of the member practices that makes the network's "
        "decisions, and approves its documents.",
    )
    representative: Text = Field(
        "a partner, or another person the practice authorises in writing to decide for it",
        description="Who represents each member practice at the meeting, in words that follow "
        "'Each member practice sends one representative:'.",
    )
    meetings_per_year: int = Field(
        6, ge=1, le=52, description="How many times a year the meeting is held, at least."
    )
    notice_days: int = Field(
        7, ge=1, le=60, description="Days' notice of a meeting, with its agenda and papers."
    )
    chair: Chair = Field(
        "clinical_director",
        description="Who chairs the meeting: the clinical director, or a representative the "
        "members elect each year.",
    )
    quorum_percent: int = Field(
        50,
        ge=1,
        le=100,
        description="Share of the member practices (or of the votes, if weighted) that must be "
        "represented for a meeting to decide anything.",
    )
    voting: Voting = Field(
        "one_practice_one_vote",
        description="How general decisions are voted: one practice one vote, or weighted by "
        "list size.",
    )
    majority: Literal["simple", "two_thirds"] = Field(
        "simple", description="The majority of the votes cast a general decision needs."
    )
    unanimous_matters: list[Text] = Field(
        default_factory=_default_unanimous_matters,
        description="Decisions that need the agreement of every member practice.",
    )
    minutes_days: int = Field(
        14,
        ge=1,
        le=60,
        description="Days after a meeting within which its minutes go to every member practice.",
    )


class CustomWorkstream(Model):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,40}$")] = Field(
        description="A short id of lower-case letters, digits and _, such as 'frailty'."
    )
    title: Text = Field(description="The workstream's title, as documents show it.")
    summary: LongText = Field(description="What the workstream covers, in a sentence or two.")
    clinical: bool = Field(True, description="Whether the workstream is clinical work.")
    checklist: list[Text] = Field(
        default_factory=list, description="The workstream's own checklist items for its lead."
    )


# A funding stream's id, one of pcndocs/data/funding.yaml's (checked against it when loading).
FundingStreamId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


# A workstream is a built-in id (text) or a custom one (keys); the shape picks which.
WorkstreamRef = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), Tag("as-text")]
    | Annotated[CustomWorkstream, Tag("as-keys")],
    Discriminator(_shape),
]


class Lead(Model):
    name: Text = Field(description="The lead's name.")
    kind: Literal["clinical", "non_clinical"] = Field(
        description="clinical or non_clinical: a non-clinical lead gets no clinical duties."
    )
    workstream: WorkstreamRef = Field(
        description="A built-in workstream id, or a custom one given as {id:, title:, summary:}."
    )
    practice: OdsCode | None = Field(None, description="The member practice the lead comes from.")
    role: Text | None = Field(None, description="The lead's own job, e.g. 'Practice Manager'.")
    line_manages: Text | None = Field(
        None,
        description="Staff the lead line-manages for the network, e.g. 'the network's clinical "
        "pharmacists'. Unset: the role has no line management.",
    )
    sessions_per_month: float = Field(
        gt=0, le=40, description="Sessions a month the network pays for the role."
    )
    session_rate: float = Field(ge=0, le=5000, description="Pounds paid per session.")
    funding_stream: FundingStreamId = Field(
        "core",
        description="What pays for the role: the id of a funding stream, such as core or iif "
        "(pcndocs schema lists them all).",
    )
    reimbursed_to: Literal["practice", "individual"] = Field(
        "practice",
        description="Who is paid for the lead's time: their practice (give practice) or "
        "the lead themselves.",
    )
    start_date: date | None = Field(None, description="When the lead took on the role.")

    @field_validator("reimbursed_to")
    @classmethod
    def _practice_to_pay(cls, value: str, info: ValidationInfo) -> str:
        """A lead whose practice is paid needs that practice."""
        # A practice given but invalid is reported as such, not as missing.
        needed = value == "practice" and "practice" in info.data and info.data["practice"] is None
        if needed and not (info.context or {}).get("blank"):
            raise PydanticCustomError(
                "missing",
                "is 'practice' (the default), so the lead needs a practice: give practice, "
                "or set reimbursed_to: individual",
            )
        return value

    @property
    def workstream_id(self) -> str:
        """Return the id of the lead's workstream, built-in or custom."""
        return self.workstream if isinstance(self.workstream, str) else self.workstream.id


class LocalResponsibility(Model):
    duty: LongText = Field(description="The duty, in a sentence.")
    sessions_per_week: float = Field(0, ge=0, le=9, description="Extra time this duty takes.")


# A local duty is text, or keys that add the time it takes.
LocalDuty = Annotated[
    Annotated[LongText, Tag("as-text")] | Annotated[LocalResponsibility, Tag("as-keys")],
    Discriminator(_shape),
]


class DocumentControl(Model):
    version: Text = Field("1.0", description="The documents' version, such as 1.0.")
    author: Text | None = Field(None, description="Who prepared the documents.")
    approved_by: Text | None = Field(None, description="The meeting or person that approved them.")
    approval_date: date | None = Field(None, description="When they were approved.")
    review_date: date | None = Field(
        None, description="When they are next reviewed (the LMC advises one)."
    )
    effective_date: date | None = Field(
        None,
        description="The date Schedule 1 and the job description take effect. Unset: the "
        "approval date.",
    )
    show_generator: bool = Field(
        False,
        description="Whether the documents say they were prepared with pcndocs. Unset: they "
        "do not.",
    )


class FundingOverrides(Model):
    """Rates a network may set where the national figure is unknown or locally different."""

    cd_rate_per_patient: float | None = Field(
        None,
        ge=0,
        le=50,
        description=f"Until {WORDS.cd_payment_last}: the clinical director payment per registered "
        "patient, "
        "where the network uses its own figure.",
    )
    core_rate_per_patient: float | None = Field(
        None,
        ge=0,
        le=50,
        description=f"Until {WORDS.core_payment_last}: the core payment per registered patient. "
        f"From {WORDS.core_pcn_funding_first}: the network's rate of Core PCN Funding a patient, "
        "which is paid partly for each registered patient and partly for each patient of the "
        "adjusted population (give adjusted_population too); pcndocs splits the rate as the "
        "national one was first split and calls the sum an estimate. Where the network knows "
        "the two parts, core_rate_per_registered_patient and core_rate_per_adjusted_patient "
        "state them; where it knows its sum, core_pcn_funding states it. Needed for the money in "
        f"{WORDS.core_rate_needed_from} and later years.",
    )
    core_rate_per_registered_patient: float | None = Field(
        None,
        ge=0,
        le=50,
        description=f"From {WORDS.core_pcn_funding_first}: the part of the network's rate of "
        "Core PCN Funding paid for each registered patient. With "
        "core_rate_per_adjusted_patient (and adjusted_population) the sum is the network's own "
        "figure, not an estimate; it takes the place of core_rate_per_patient.",
    )
    core_rate_per_adjusted_patient: float | None = Field(
        None,
        ge=0,
        le=50,
        description=f"From {WORDS.core_pcn_funding_first}: the part of the network's rate of "
        "Core PCN Funding paid for each patient of the adjusted population. Give it with "
        "core_rate_per_registered_patient.",
    )
    core_pcn_funding: float | None = Field(
        None,
        ge=0,
        le=10_000_000,
        description=f"From {WORDS.core_pcn_funding_first}: the network's Core PCN Funding for "
        "the year in pounds, as "
        "its commissioner pays it. Takes the place of any per-patient working.",
    )
    leadership_and_management_rate_per_patient: float | None = Field(
        None,
        ge=0,
        le=50,
        description=f"{WORDS.leadership_first} to {WORDS.leadership_last}: the leadership and "
        "management payment per adjusted "
        "patient, where the network uses its own figure.",
    )
    adjusted_population: int | None = Field(
        None,
        gt=0,
        le=2_000_000,
        description="The network's adjusted population, which some payments are worked out on.",
    )


EngagedAs = Literal["employed_by_practice", "office_holder", "self_employed"]


class JobDescription(Model):
    """The network's own terms for its clinical director, kept apart from the national role."""

    line_manages: list[Text] = Field(
        default_factory=list,
        description="Who the director line-manages, such as the PCN manager; none unless given.",
    )
    working_relationships: list[Text] | None = Field(
        None,
        description="The people and bodies the director works with. Unset: the list usual in "
        "published PCN job descriptions.",
    )
    engaged_as: EngagedAs | None = Field(
        None,
        description="How the director is engaged: employed_by_practice (by the nominated payee "
        "or their own practice), office_holder or self_employed. Unset: to be agreed.",
    )
    backfill: LongText | None = Field(
        None, description="Who pays the director's practice for the clinical time they give up."
    )
    expenses: LongText | None = Field(None, description="How the director's expenses are paid.")
    indemnity: LongText | None = Field(
        None, description="How the director is indemnified for the role."
    )


class Profile(Model):
    """One network: everything its documents are rendered from."""

    # The sections network and appointment are required too: their own keys say what is missing.
    model_config = ConfigDict(
        json_schema_extra=lambda schema, model: _schema_required(
            schema, model, also=("network", "appointment")
        )
    )

    network: Network = Field(  # type: ignore[assignment]
        default_factory=lambda: {},
        description="The network: its name, codes, commissioner and nominated payee.",
    )
    contract_year: Annotated[ContractYear | None, Needed] = Field(
        None,
        description=f"The contract year, such as {WORDS.latest}: selects the national rates and "
        "duties. "
        "A year later than pcndocs knows builds with the network's own figures.",
    )
    practices: Annotated[list[Practice], Field(max_length=MAX_ITEMS), Needed] = Field(
        default_factory=list, description="The member practices, one or more."
    )
    clinical_directors: Annotated[list[ClinicalDirector], Field(max_length=4), Needed] = Field(
        default_factory=list, description="The clinical director, or up to four sharing the role."
    )
    appointment: Appointment = Field(  # type: ignore[assignment]
        default_factory=lambda: {},
        description="How the clinical director is appointed, reappointed and removed.",
    )
    governance: Governance = Field(
        default_factory=lambda: Governance(),
        description="How the member practices meet and decide; every key has a default.",
    )
    leads: Annotated[list[Lead], Field(max_length=MAX_ITEMS)] = Field(
        default_factory=list, description="Clinical and non-clinical leads, each of a workstream."
    )
    local_cd_responsibilities: Annotated[list[LocalDuty], Field(max_length=MAX_ITEMS)] = Field(
        default_factory=list,
        description="Duties agreed locally beyond the national minimum; text, or {duty:, "
        "sessions_per_week:}.",
    )
    document_control: DocumentControl = Field(
        default_factory=DocumentControl,
        description="Version, author, approval and review of the documents.",
    )
    job_description: JobDescription = Field(
        default_factory=lambda: JobDescription(),
        description="The network's own terms for the clinical director's job description.",
    )
    funding: FundingOverrides = Field(
        default_factory=lambda: FundingOverrides(),
        description="Rates the network sets itself, where the national figure is unknown.",
    )

    @property
    def population(self) -> int:
        """Return the registered patients of all member practices."""
        return sum(p.list_size or 0 for p in self.practices)

    def practice(self, ods_code: str | None) -> Practice | None:
        """Return the member practice with this ODS code, or None (a blank build's gap)."""
        return next((p for p in self.practices if p.ods_code == ods_code), None)
