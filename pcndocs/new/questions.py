"""The questions `pcndocs new` asks, in order, and the profile made from the answers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Literal, cast, get_args

from annotated_types import MaxLen

from pcndocs import years
from pcndocs.new import answers
from pcndocs.new.prompt import Ask, Say
from pcndocs.profile.items import item_heading
from pcndocs.profile.model import (
    Appointment,
    ClinicalDirector,
    CustomWorkstream,
    DocumentControl,
    FundingOverrides,
    Lead,
    Method,
    Network,
    PayeeFunds,
    Practice,
    Profile,
)
from pcndocs.profile.write import number_text
from pcndocs.rules.facts import Facts, Workstream
from pcndocs.rules.funding import funded_sessions, payment_made, sessions_number, sessions_text

Kind = Literal["clinical", "non_clinical"]

METHODS: tuple[str, ...] = get_args(Method)
HOLDS: tuple[str, ...] = get_args(PayeeFunds)
# How a payee that is not a member practice may hold the funds, by number, word and meaning.
_HOLDS_MEANING = {
    "on_trust": "on trust for the member practices",
    "separate_account": "in a separate bank account kept for the network",
    "separate_account_on_trust": "both",
}
_HOLDS_SAID = [f"{i} {word} ({_HOLDS_MEANING[word]})" for i, word in enumerate(HOLDS, start=1)]
HOLDS_WORDS = f"{', '.join(_HOLDS_SAID[:-1])} or {_HOLDS_SAID[-1]}"
KINDS: tuple[str, ...] = get_args(Lead.model_fields["kind"].annotation)
MAX_DIRECTORS = next(
    m.max_length
    for m in Profile.model_fields["clinical_directors"].metadata
    if isinstance(m, MaxLen)
)


def suggested_sessions(left: float) -> str:
    """Return the funded time left, rounded down to a quarter session, so it stays within it.

    Nothing is suggested when less than a quarter session is left: the answer is needed.
    """
    quarters = math.floor(min(left, 9.0) * 4 + 1e-9) / 4
    return number_text(quarters) if quarters >= 0.25 else ""


def ask_profile(ask: Ask, say: Say, facts: Facts, today: date) -> Profile:
    """Return the profile of a new network, built from the answers to the questions."""
    say("Describe the network. A value in [brackets] is taken if you press Enter.")
    name = ask("Network name", answers.text(Network, "name"), key=("network", "name"))
    code = ask(
        "PCN code, U and five digits (blank to skip)",
        answers.optional(answers.text(Network, "code")),
        "",
        key=("network", "code"),
    )
    commissioner = ask(
        "Commissioner, such as NHS Example Integrated Care Board (blank to skip)",
        answers.optional(answers.text(Network, "commissioner")),
        "",
        key=("network", "commissioner"),
    )
    year = ask(
        f"Contract year (pcndocs holds national figures up to {facts.funding.latest})",
        answers.about(answers.contract_year, Profile, "contract_year"),
        answers.contract_year_now(today),
        key=("contract_year",),
    )
    population_date = ask(
        "Date the practices' list sizes refer to (01/01/2026 or 2026-01-01)",
        answers.about(answers.date_answer, Network, "population_date"),
        facts.funding_year(year).population_date.isoformat(),
        key=("network", "population_date"),
    )
    practices = _ask_practices(ask, say)
    say("The practices:")
    for i, practice in enumerate(practices, start=1):
        say(f"  {i}. {practice.ods_code}  {practice.name}")
    payee, payee_name, holds = _ask_payee(ask, practices)
    directors = _ask_directors(ask, say, facts, practices, year)
    method = ask(
        f"Appointment method ({', '.join(METHODS)})",
        answers.about(answers.choice(METHODS), Appointment, "method"),
        key=("appointment", "method"),
    )
    term = ask(
        "Term of office in years",
        answers.whole(Appointment, "term_years"),
        "3",
        key=("appointment", "term_years"),
    )
    leads = _ask_leads(ask, say, facts, practices, year)
    core = None
    if facts.funding_year(year).core_pcn_funding is None and not payment_made(year, facts):
        # No national rate for the year: the summary sets the costs against the network's own.
        core = ask(
            f"Core PCN Funding the network receives in {year}, in pounds (blank if not known)",
            answers.about(
                answers.optional(answers.decimal(FundingOverrides, "core_pcn_funding")),
                FundingOverrides,
                "core_pcn_funding",
            ),
            "",
            key=("funding", "core_pcn_funding"),
        )
    review = ask(
        "Date the member practices review these documents by (31/03/2027 or 2027-03-31)",
        answers.about(answers.date_answer, DocumentControl, "review_date"),
        _year_end(year),
        key=("document_control", "review_date"),
    )
    return Profile(
        network=Network(
            name=name,
            code=code,
            commissioner=commissioner,
            population_date=population_date,
            nominated_payee=payee,
            payee_name=payee_name,
            payee_holds_funds=cast(PayeeFunds | None, holds),
        ),
        contract_year=year,
        practices=practices,
        clinical_directors=directors,
        appointment=Appointment(method=cast(Method, method), term_years=term),
        leads=leads,
        document_control=DocumentControl(review_date=review),
        funding=FundingOverrides(core_pcn_funding=core),
    )


def _ask_payee(ask: Ask, practices: Sequence[Practice]) -> tuple[str, str | None, str | None]:
    """Return the nominated payee's ODS code and, where it is not a member practice, its name
    and how it holds the network's funds.

    Most networks' payee is a member practice; another provider (a GP federation, say) is
    allowed too, and Schedule 1 then names it and says how it holds the funds (or that this is
    still to be agreed).
    """
    at = ("network", "nominated_payee")
    payee = ask(
        "Nominated payee, the practice or provider that receives the funding (a member "
        f"practice's ODS code, number or name; or {answers.OTHER} for another provider)",
        answers.payee(practices),
        practices[0].ods_code,
        key=at,
    )
    if payee == answers.OTHER:
        payee = ask(
            "Nominated payee: the provider's ODS code (three to six letters and digits)",
            answers.provider_code(practices),
            key=at,
        )
    if any(p.ods_code == payee for p in practices):
        return payee, None, None
    name = ask(
        f"Nominated payee ({payee}): the provider's name, such as Riverside GP Federation",
        answers.text(Network, "payee_name"),
        key=("network", "payee_name"),
    )
    holds = ask(
        f"How {name} holds the network's funds: {HOLDS_WORDS} (blank if not yet agreed)",
        answers.about(answers.optional(answers.choice(HOLDS)), Network, "payee_holds_funds"),
        "",
        key=("network", "payee_holds_funds"),
    )
    return payee, name, holds


def _year_end(year: str) -> str:
    """Return the last day of a contract year, the usual review date, as an answer is typed."""
    parsed = years.parse(year)
    return parsed.ends.isoformat() if parsed is not None else ""


def _ask_practices(ask: Ask, say: Say) -> list[Practice]:
    say("The member practices, one by one; leave the name blank when all are entered.")
    practices: list[Practice] = []
    while True:
        n = len(practices) + 1
        at = ("practices", n - 1)
        this = item_heading("practices", n - 1)
        if practices:
            name = ask(
                f"{this}: name",
                answers.optional(answers.practice_name(practices)),
                "",
                key=(*at, "name"),
            )
            if name is None:
                return practices
        else:
            name = ask(f"{this}: name", answers.practice_name(practices), key=(*at, "name"))
        code = ask(
            f"{item_heading('practices', n - 1, name)}: ODS code, a letter and five digits",
            answers.new_ods_code(practices),
            key=(*at, "ods_code"),
        )
        size = ask(
            f"{item_heading('practices', n - 1, name)}: registered patients",
            answers.whole(Practice, "list_size"),
            key=(*at, "list_size"),
        )
        practices.append(Practice(name=name, ods_code=code, list_size=size))


def _ask_directors(
    ask: Ask, say: Say, facts: Facts, practices: Sequence[Practice], year: str
) -> list[ClinicalDirector]:
    funded = funded_sessions(sum(p.list_size or 0 for p in practices), facts)
    basis = facts.funding.cd_basis
    # From 2024/25 nothing pays for the role apart: the time funded until then is a guide only.
    what = "funded" if payment_made(year, facts) else "guide"
    if what == "funded":
        say(
            f"The clinical director. The network is funded for {sessions_text(funded)} a week "
            f"({basis.wte} WTE per {basis.per_registered_patients:,} patients); up to "
            f"{MAX_DIRECTORS} directors may share the role."
        )
    else:
        say(
            f"The clinical director. In {year} no payment is made for the role apart from "
            f"Core PCN Funding; the time funded until {basis.last_paid}, kept as a guide, is "
            f"{sessions_text(funded)} a week "
            f"({basis.wte} WTE per {basis.per_registered_patients:,} patients). Up to "
            f"{MAX_DIRECTORS} directors may share the role."
        )
    directors: list[ClinicalDirector] = []
    while len(directors) < MAX_DIRECTORS:
        n = len(directors) + 1
        at = ("clinical_directors", n - 1)
        if directors:
            name = ask(
                f"{item_heading('clinical_directors', n - 1)}, sharing the role: name "
                "(blank for none)",
                answers.optional(answers.text(ClinicalDirector, "name")),
                "",
                key=(*at, "name"),
            )
            if name is None:
                break
        else:
            name = ask(
                f"{item_heading('clinical_directors', 0)}: name",
                answers.text(ClinicalDirector, "name"),
                key=(*at, "name"),
            )
        who = item_heading("clinical_directors", n - 1, name)
        profession = ask(
            f"{who}: profession",
            answers.text(ClinicalDirector, "profession"),
            "GP",
            key=(*at, "profession"),
        )
        practice = ask(
            f"{who}: practice (ODS code, number or name)",
            answers.member(practices),
            practices[0].ods_code,
            key=(*at, "practice"),
        )
        left = funded - sum(d.sessions_per_week or 0 for d in directors)
        sessions = ask(
            f"{who}: sessions a week ({what}: {sessions_number(max(left, 0))}"
            + (f" left of {sessions_number(funded)})" if directors else ")"),
            answers.decimal(ClinicalDirector, "sessions_per_week"),
            suggested_sessions(left) or None,
            key=(*at, "sessions_per_week"),
        )
        if sessions > left + 0.005:  # as `check` counts it
            say(
                f"  that is {sessions_number(sessions - max(left, 0))} more than the {what} "
                "time left; agree how the difference is paid for (`check` will warn of it)"
            )
        start = ask(
            f"{who}: date their current term began (01/04/2026 or 2026-04-01; "
            "blank if not yet known)",
            answers.optional(answers.about(answers.date_answer, ClinicalDirector, "start_date")),
            "",
            key=(*at, "start_date"),
        )
        rate, yearly = _ask_director_pay(ask, n, name)
        directors.append(
            ClinicalDirector(
                name=name,
                profession=profession,
                practice=practice,
                sessions_per_week=sessions,
                start_date=start,
                session_rate=rate,
                annual_pay=yearly,
            )
        )
    return directors


def _ask_director_pay(ask: Ask, n: int, name: str) -> tuple[float | None, float | None]:
    """Return director n's pay as (pounds a session, pounds a year): one of them, or neither.

    Neither: the job description says the member practices are still to agree the pay.
    """
    at = ("clinical_directors", n - 1)
    who = item_heading("clinical_directors", n - 1, name)
    rate = ask(
        f"{who}: pay, pounds per session (blank to give a yearly sum instead)",
        answers.session_pay(ClinicalDirector, "session_rate"),
        "",
        key=(*at, "session_rate"),
    )
    if rate is not None:
        return rate, None
    yearly = ask(
        f"{who}: pay, pounds a year (blank if still to be agreed)",
        answers.optional(answers.decimal(ClinicalDirector, "annual_pay")),
        "",
        key=(*at, "annual_pay"),
    )
    return None, yearly


def _ask_leads(
    ask: Ask, say: Say, facts: Facts, practices: Sequence[Practice], year: str
) -> list[Lead]:
    choices: list[Workstream | CustomWorkstream] = list(facts.workstreams_in(year))
    say(f"Leads: each takes on one workstream. The built-in workstreams of {year}:")
    width = max(len(w.id) for w in choices)
    for i, item in enumerate(choices, start=1):
        say(f"  {i:>2}. {item.id:<{width}}  {item.title}")
    say(
        f"Type '{answers.LOCAL}' to add a workstream of your own. "
        "Leave the workstream blank when all the leads are entered."
    )
    leads: list[Lead] = []
    while True:
        n = len(leads) + 1
        at = ("leads", n - 1)
        chosen = ask(
            f"{item_heading('leads', n - 1)}: workstream (number, id, or {answers.LOCAL})",
            answers.optional(answers.workstream_choice(choices)),
            "",
            key=(*at, "workstream"),
        )
        if chosen is None:
            return leads
        if isinstance(chosen, str):  # answers.LOCAL
            chosen = _ask_local_workstream(ask, facts, choices, n)
            choices.append(chosen)
            say(f"  {len(choices):>2}. {chosen.id}  {chosen.title} (local; for later leads too)")
        elif isinstance(chosen, CustomWorkstream) and chosen not in choices:
            choices.append(chosen)  # a local workstream the profile being filled in has
        name = ask(
            f"{item_heading('leads', n - 1)}: name", answers.text(Lead, "name"), key=(*at, "name")
        )
        who = item_heading("leads", n - 1, name)
        kind = ask(
            f"{who}: kind ({', '.join(KINDS)})",
            answers.about(answers.choice(KINDS), Lead, "kind"),
            "clinical" if chosen.clinical else "non_clinical",
            key=(*at, "kind"),
        )
        practice = ask(
            f"{who}: practice (ODS code, number or name; blank for none)",
            answers.optional(answers.member(practices)),
            "",
            key=(*at, "practice"),
        )
        sessions = ask(
            f"{who}: sessions a month",
            answers.decimal(Lead, "sessions_per_month"),
            "2",
            key=(*at, "sessions_per_month"),
        )
        rate = ask(
            f"{who}: pounds paid per session",
            answers.decimal(Lead, "session_rate"),
            key=(*at, "session_rate"),
        )
        leads.append(
            Lead(
                name=name,
                kind=cast(Kind, kind),
                workstream=chosen.model_dump(exclude_unset=True)  # a union read by its shape
                if isinstance(chosen, CustomWorkstream)
                else chosen.id,
                practice=practice,
                sessions_per_month=sessions,
                session_rate=rate,
                # With no practice to pay for the lead's time, the lead is paid directly.
                reimbursed_to="practice" if practice else "individual",
            )
        )


def _ask_local_workstream(
    ask: Ask, facts: Facts, choices: Sequence[Workstream | CustomWorkstream], n: int
) -> CustomWorkstream:
    """Return a workstream of the network's own, for lead n."""
    at = ("leads", n - 1, "workstream")
    who = item_heading("leads", n - 1)
    taken = {w.id for w in facts.workstreams.workstreams} | {w.id for w in choices}
    local_id = ask(
        f"{who}: local workstream's id, a short word such as frailty",
        answers.local_workstream_id(taken),
        key=(*at, "id"),
    )
    title = ask(
        f"{who}: local workstream's title, as documents show it",
        answers.text(CustomWorkstream, "title"),
        local_id.replace("_", " ").capitalize(),
        key=(*at, "title"),
    )
    summary = ask(
        f"{who}: what the workstream covers, in a sentence",
        answers.text(CustomWorkstream, "summary"),
        key=(*at, "summary"),
    )
    clinical = ask(
        f"{who}: is it clinical work? (yes or no)",
        answers.choice(("yes", "no")),
        "yes",
        key=(*at, "clinical"),
    )
    return CustomWorkstream(id=local_id, title=title, summary=summary, clinical=clinical == "yes")
