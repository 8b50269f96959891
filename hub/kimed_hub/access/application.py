"""The access application, grouped by the Five Safes (people, project, data, settings, outputs).

A draft may be incomplete; :func:`submission_problems` lists what must be filled in
before it can be submitted, each with its field path, so the form can mark them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..catalogue.model import EMAIL_RE, URL_RE, check_codes
from ..errors import Violation
from ..serde import items, text

LONG_TEXT = 20_000
#: Data access levels an applicant can ask for, least to most identifying.
DATA_LEVELS = ("aggregate", "anonymised-record-level", "pseudonymised-record-level")


@dataclass
class Person:
    """An applicant or team member; ``username`` is their workbench account."""

    username: str = text(max_len=100)
    name: str = text(max_len=200)
    email: str = text(max_len=200)
    institution: str = text(max_len=300)
    ror: str = text(max_len=100)
    orcid: str = text(max_len=40)
    role: str = text(max_len=100)
    professional_registration: str = text(max_len=200)
    training_completed: date | None = None


@dataclass
class SafePeople:
    """Who will see the data."""

    applicant: Person = field(default_factory=Person)
    members: list[Person] = items(max_items=50)


@dataclass
class SafeProject:
    """What the data are for."""

    title: str = text(max_len=300)
    acronym: str = text(max_len=40)
    lay_summary: str = text(max_len=LONG_TEXT)
    background: str = text(max_len=LONG_TEXT)
    aims: str = text(max_len=LONG_TEXT)
    methods: str = text(max_len=LONG_TEXT)
    project_type: str = text(max_len=100)
    funder: str = text(max_len=300)
    funding_reference: str = text(max_len=100)
    commercial_interest: bool = False
    start: date | None = None
    end: date | None = None
    keywords: list[str] = items(max_items=30)
    publication_plan: str = text(max_len=LONG_TEXT)


@dataclass
class EthicsVote:
    """The ethics committee's vote, if there is one."""

    existing: bool = False
    committee: str = text(max_len=300)
    number: str = text(max_len=100)
    date: date | None = None


@dataclass
class SafeData:
    """Which data, how identifying, on which legal basis."""

    datasets: list[str] = items(max_items=50, as_set=True)
    variables: list[str] = items(max_items=2_000)
    inclusion_criteria: str = text(max_len=LONG_TEXT)
    exclusion_criteria: str = text(max_len=LONG_TEXT)
    level: str = text(max_len=40)
    linkage: str = text(max_len=LONG_TEXT)
    legal_basis: str = text(max_len=40)
    special_category_condition: str = text(max_len=40)
    minimisation: str = text(max_len=LONG_TEXT)
    ethics: EthicsVote = field(default_factory=EthicsVote)
    refresh_needed: bool = False


@dataclass
class SafeSettings:
    """Where the data are processed: the KIMed Workbench, and what it must provide."""

    environment: str = text("KIMed Workbench", max_len=100)
    gpu: bool = False
    cpu_cores: int | None = None
    memory_gb: int | None = None
    notes: str = text(max_len=4_000)


@dataclass
class SafeOutputs:
    """What leaves the workbench, how it is checked, and when the data are destroyed."""

    expected_outputs: str = text(max_len=LONG_TEXT)
    disclosure_control: str = text(max_len=LONG_TEXT)
    retention_until: date | None = None
    destruction_method: str = text(max_len=2_000)


@dataclass
class Application:
    """A complete access application (the request's content, versioned on submission)."""

    people: SafePeople = field(default_factory=SafePeople)
    project: SafeProject = field(default_factory=SafeProject)
    data: SafeData = field(default_factory=SafeData)
    settings: SafeSettings = field(default_factory=SafeSettings)
    outputs: SafeOutputs = field(default_factory=SafeOutputs)
    terms_accepted_by: list[str] = items(max_items=51, as_set=True)

    def usernames(self) -> list[str]:
        """The applicant and every team member: everyone a grant would cover."""
        names = [self.people.applicant.username] + [m.username for m in self.people.members]
        return sorted({n for n in names if n})


def _required(obj: object, path: str, names: tuple[str, ...]) -> list[Violation]:
    return [Violation(f"{path}.{n}", "is required") for n in names if not getattr(obj, n)]


def format_problems(app: Application) -> list[Violation]:
    """Malformed values anywhere in a draft (wrong e-mail, unknown legal basis ...)."""
    problems = []
    people = [("people.applicant", app.people.applicant)]
    people += [(f"people.members[{i}]", m) for i, m in enumerate(app.people.members)]
    for path, person in people:
        if person.email and not EMAIL_RE.match(person.email):
            problems.append(
                Violation(f"{path}.email", f"{person.email!r} is not an e-mail address")
            )
        if person.ror and not URL_RE.match(person.ror):
            problems.append(Violation(f"{path}.ror", "must be a ROR URL (https://ror.org/...)"))
    data = app.data
    codes = {
        k: "legal-basis" for k in ("legal_basis", "special_category_condition") if getattr(data, k)
    }
    problems += check_codes(data, codes, "data.")
    if data.level and data.level not in DATA_LEVELS:
        problems.append(Violation("data.level", f"must be one of {', '.join(DATA_LEVELS)}"))
    return problems


def submission_problems(app: Application, applicant: str) -> list[Violation]:
    """Everything that must be fixed before ``app`` can be submitted by ``applicant``."""
    problems = format_problems(app)
    lead = app.people.applicant
    if lead.username != applicant:
        problems.append(
            Violation("people.applicant.username", f"must be the applicant, {applicant}")
        )
    problems += _required(lead, "people.applicant", ("name", "email", "institution"))
    for i, member in enumerate(app.people.members):
        problems += _required(member, f"people.members[{i}]", ("username", "name", "institution"))
    project = app.project
    problems += _required(
        project, "project", ("title", "lay_summary", "aims", "methods", "start", "end")
    )
    if project.start and project.end and project.end <= project.start:
        problems.append(Violation("project.end", "must be after the project start"))
    problems += _data_problems(app.data)
    problems += _required(
        app.outputs,
        "outputs",
        ("expected_outputs", "disclosure_control", "retention_until", "destruction_method"),
    )
    for username in app.usernames():
        if username not in app.terms_accepted_by:
            problems.append(
                Violation("terms_accepted_by", f"{username} has not accepted the data use terms")
            )
    return problems


def _data_problems(data: SafeData) -> list[Violation]:
    problems = _required(data, "data", ("datasets", "level", "legal_basis", "minimisation"))
    if data.level != "aggregate" and not data.special_category_condition:
        msg = "record-level health data need a GDPR Art. 9(2) condition (e.g. GDPR-A9-2-j)"
        problems.append(Violation("data.special_category_condition", msg))
    if data.ethics.existing:
        problems += _required(data.ethics, "data.ethics", ("committee", "number", "date"))
    return problems
