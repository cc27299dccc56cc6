# Type stubs of the crm package (crmcore for Python).
from __future__ import annotations

import os
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import (
    IO,
    Any,
    Callable,
    ClassVar,
    Dict,
    Generic,
    Iterator,
    List,
    Literal,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    Tuple,
    Type,
    TypedDict,
    TypeVar,
    Union,
    overload,
)

__version__: str

# ---- what arguments accept ---------------------------------------------------

class _HasId(Protocol):
    @property
    def id(self) -> Optional[str]: ...

_IdLike = Union[str, _HasId]
_TimeLike = Union[datetime, date, int, str]

class _MoneyDict(TypedDict):
    minor: int
    currency: str

_MoneyLike = Union[Money, _MoneyDict]
_CustomIn = Union[
    None, bool, int, float, Decimal, str, date, Sequence[str], Money, _MoneyDict
]
_CustomOut = Union[None, bool, int, str, List[str], Money]

class _ConsentDict(TypedDict, total=False):
    channel: str
    status: Literal["unknown", "opt_in", "opt_out"]
    at: _TimeLike
    source: str

class _ContactDict(TypedDict, total=False):
    kind: Literal["email", "phone", "address", "social"]
    value: str
    type: str
    primary: bool
    verified: bool
    consents: Sequence[Union[_ConsentDict, Consent]]
    id: Optional[str]
    operator_name: str

class _LineDict(TypedDict, total=False):
    sku: str
    name: str
    quantity: int
    unit_price: _MoneyLike
    total: _MoneyLike

class _ConditionDict(TypedDict, total=False):
    field: Literal["phone", "email", "national_id", "name", "city", "organization"]
    min_similarity: float

class _RuleDict(TypedDict, total=False):
    name: str
    all_of: Sequence[_ConditionDict]
    score: float

_Survivorship = Literal["survivor", "merged", "newest"]
_ContactIn = Union[_ContactDict, ContactPoint]
_StrOrList = Union[str, Sequence[str]]

# ---- errors ------------------------------------------------------------------

class Error(Exception):
    code: ClassVar[str]
    message: str
    field: str
    def __init__(self, message: str = ..., field: str = ...) -> None: ...

class InvalidArgument(Error, ValueError): ...
class NotFound(Error, LookupError): ...
class Conflict(Error): ...
class InvalidTransition(Error): ...
class PermissionDenied(Error): ...
class StorageError(Error): ...
class ParseError(Error, ValueError): ...
class Unsupported(Error): ...
class VersionMismatch(Error): ...
class InternalError(Error): ...

# ---- values ------------------------------------------------------------------

class Money:
    def __init__(self, minor: int, currency: str) -> None: ...
    @staticmethod
    def parse(amount: str, currency: str) -> Money: ...
    @property
    def minor(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    def __add__(self, other: Money) -> Money: ...
    def __mul__(self, factor: int) -> Money: ...
    def __rmul__(self, factor: int) -> Money: ...

# ---- records (read-only; to_dict() gives plain data keyed by __fields__) -------

class _Record:
    __fields__: ClassVar[Tuple[str, ...]]
    __repr_fields__: ClassVar[Tuple[str, ...]]
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...

class Consent(_Record):
    @property
    def channel(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def source(self) -> str: ...

class ContactPoint(_Record):
    @property
    def id(self) -> Optional[str]: ...
    @property
    def kind(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def primary(self) -> bool: ...
    @property
    def verified(self) -> bool: ...
    @property
    def operator_name(self) -> str: ...
    @property
    def consents(self) -> List[Consent]: ...

class Party(_Record):
    @property
    def id(self) -> Optional[str]: ...
    @property
    def kind(self) -> str: ...
    @property
    def external_id(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def organization_name(self) -> str: ...
    @property
    def national_id(self) -> str: ...
    @property
    def lifecycle_stage(self) -> str: ...
    @property
    def owner(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def tags(self) -> List[str]: ...
    @property
    def custom(self) -> Dict[str, _CustomOut]: ...
    @property
    def contacts(self) -> List[ContactPoint]: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def version(self) -> int: ...
    @property
    def merged_into(self) -> Optional[str]: ...

class Membership(_Record):
    @property
    def person(self) -> Optional[str]: ...
    @property
    def organization(self) -> Optional[str]: ...
    @property
    def role(self) -> str: ...
    @property
    def since(self) -> datetime: ...

class Interaction(_Record):
    @property
    def id(self) -> Optional[str]: ...
    @property
    def party(self) -> Optional[str]: ...
    @property
    def channel(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def subject(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def duration_s(self) -> Optional[int]: ...
    @property
    def outcome(self) -> str: ...
    @property
    def external_id(self) -> str: ...

class Activity(_Record):
    @property
    def id(self) -> Optional[str]: ...
    @property
    def party(self) -> Optional[str]: ...
    @property
    def kind(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def note(self) -> str: ...
    @property
    def due(self) -> datetime: ...
    @property
    def assignee(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def closed_at(self) -> Optional[datetime]: ...

class PurchaseLine(_Record):
    @property
    def sku(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def unit_price(self) -> Money: ...
    @property
    def total(self) -> Money: ...

class Purchase(_Record):
    @property
    def id(self) -> Optional[str]: ...
    @property
    def party(self) -> Optional[str]: ...
    @property
    def order_id(self) -> str: ...
    @property
    def ordered_at(self) -> datetime: ...
    @property
    def total(self) -> Money: ...
    @property
    def lines(self) -> List[PurchaseLine]: ...

class PurchaseSummary(_Record):
    @property
    def currency(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def total_minor(self) -> int: ...
    @property
    def first_at(self) -> datetime: ...
    @property
    def last_at(self) -> datetime: ...
    @property
    def total(self) -> Money: ...

class FieldDef(_Record):
    @property
    def record_type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def required(self) -> bool: ...
    @property
    def allowed(self) -> List[str]: ...
    @property
    def min(self) -> Optional[int]: ...
    @property
    def max(self) -> Optional[int]: ...
    @property
    def currency(self) -> str: ...

class Customer360(_Record):
    @property
    def party(self) -> Party: ...
    @property
    def memberships(self) -> List[Membership]: ...
    @property
    def recent_interactions(self) -> List[Interaction]: ...
    @property
    def open_activities(self) -> List[Activity]: ...
    @property
    def purchases(self) -> List[PurchaseSummary]: ...
    @property
    def merged_ids(self) -> List[str]: ...

class SearchHit(_Record):
    @property
    def id(self) -> Optional[str]: ...
    @property
    def kind(self) -> str: ...
    @property
    def external_id(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def matched(self) -> str: ...

class DuplicatePair(_Record):
    @property
    def a(self) -> Optional[str]: ...
    @property
    def b(self) -> Optional[str]: ...
    @property
    def a_external_id(self) -> str: ...
    @property
    def b_external_id(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def reasons(self) -> List[str]: ...

class FieldChange(_Record):
    @property
    def field(self) -> str: ...
    @property
    def before(self) -> Any: ...
    @property
    def after(self) -> Any: ...

class AuditEntry(_Record):
    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def record_type(self) -> str: ...
    @property
    def record_id(self) -> Optional[str]: ...
    @property
    def action(self) -> str: ...
    @property
    def changes(self) -> List[FieldChange]: ...

class Event(_Record):
    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def type(self) -> str: ...
    @property
    def record_type(self) -> str: ...
    @property
    def record_id(self) -> Optional[str]: ...
    @property
    def payload(self) -> Any: ...
    @property
    def payload_json(self) -> str: ...

class TimelinePage(_Record):
    @property
    def items(self) -> List[Interaction]: ...
    @property
    def next(self) -> Optional[str]: ...

_R = TypeVar("_R", Party, Purchase)

class Written(_Record, Generic[_R]):
    @property
    def record(self) -> _R: ...
    @property
    def outcome(self) -> Literal["created", "updated", "unchanged"]: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, i: Literal[0, -2]) -> _R: ...
    @overload
    def __getitem__(self, i: Literal[1, -1]) -> str: ...
    @overload
    def __getitem__(self, i: int) -> Any: ...

class ImportProblem(_Record):
    @property
    def line(self) -> int: ...
    @property
    def external_id(self) -> str: ...
    @property
    def field(self) -> str: ...
    @property
    def severity(self) -> Literal["error", "warning"]: ...
    @property
    def reason(self) -> str: ...
    @property
    def value(self) -> str: ...

class ImportReport(_Record):
    @property
    def imported(self) -> int: ...
    @property
    def updated(self) -> int: ...
    @property
    def unchanged(self) -> int: ...
    @property
    def rejected(self) -> int: ...
    @property
    def warnings(self) -> int: ...
    @property
    def problems(self) -> List[ImportProblem]: ...
    def summary(self) -> str: ...
    def problems_csv(self) -> str: ...

# ---- the engine --------------------------------------------------------------

_CsvSource = Union[str, os.PathLike[str], IO[str], IO[bytes]]

class Engine:
    @staticmethod
    def open(
        database: Union[str, os.PathLike[str]] = "memory:",
        default_region: str = "IR",
        now: Optional[_TimeLike] = None,
        *,
        lifecycle_stages: Optional[Sequence[str]] = None,
        actor: str = "system",
        source: str = "api",
    ) -> Engine: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> Engine: ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...
    @property
    def database(self) -> str: ...
    @property
    def backend(self) -> str: ...
    def now(self) -> datetime: ...
    def set_now(self, now: _TimeLike) -> None: ...
    def advance(self, by: Union[int, timedelta]) -> None: ...

    # transactions
    def begin(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    @property
    def in_transaction(self) -> bool: ...
    def transaction(self) -> AbstractContextManager[Engine]: ...

    # parties
    def create_party(
        self,
        kind: Literal["person", "organization"] = "person",
        *,
        external_id: Optional[str] = None,
        first_name: Optional[str] = None,
        last_name: Optional[str] = None,
        organization_name: Optional[str] = None,
        national_id: Optional[str] = None,
        lifecycle_stage: Optional[str] = None,
        owner: Optional[str] = None,
        city: Optional[str] = None,
        country: Optional[str] = None,
        tags: Optional[Sequence[str]] = None,
        add_tags: Optional[Sequence[str]] = None,
        remove_tags: Optional[Sequence[str]] = None,
        contacts: Optional[Sequence[_ContactIn]] = None,
        email: Optional[_StrOrList] = None,
        phone: Optional[_StrOrList] = None,
        remove_contacts: Optional[Sequence[_IdLike]] = None,
        custom: Optional[Mapping[str, _CustomIn]] = None,
        created_at: Optional[_TimeLike] = None,
        actor: Optional[str] = None,
        source: Optional[str] = None,
    ) -> Party: ...
    def upsert_party(
        self,
        external_id: str,
        *,
        kind: Optional[Literal["person", "organization"]] = None,
        first_name: Optional[str] = None,
        last_name: Optional[str] = None,
        organization_name: Optional[str] = None,
        national_id: Optional[str] = None,
        lifecycle_stage: Optional[str] = None,
        owner: Optional[str] = None,
        city: Optional[str] = None,
        country: Optional[str] = None,
        tags: Optional[Sequence[str]] = None,
        add_tags: Optional[Sequence[str]] = None,
        remove_tags: Optional[Sequence[str]] = None,
        contacts: Optional[Sequence[_ContactIn]] = None,
        email: Optional[_StrOrList] = None,
        phone: Optional[_StrOrList] = None,
        remove_contacts: Optional[Sequence[_IdLike]] = None,
        custom: Optional[Mapping[str, _CustomIn]] = None,
        created_at: Optional[_TimeLike] = None,
        actor: Optional[str] = None,
        source: Optional[str] = None,
    ) -> Written[Party]: ...
    def update_party(
        self,
        party: _IdLike,
        *,
        kind: Optional[Literal["person", "organization"]] = None,
        external_id: Optional[str] = None,
        first_name: Optional[str] = None,
        last_name: Optional[str] = None,
        organization_name: Optional[str] = None,
        national_id: Optional[str] = None,
        lifecycle_stage: Optional[str] = None,
        owner: Optional[str] = None,
        city: Optional[str] = None,
        country: Optional[str] = None,
        tags: Optional[Sequence[str]] = None,
        add_tags: Optional[Sequence[str]] = None,
        remove_tags: Optional[Sequence[str]] = None,
        contacts: Optional[Sequence[_ContactIn]] = None,
        email: Optional[_StrOrList] = None,
        phone: Optional[_StrOrList] = None,
        remove_contacts: Optional[Sequence[_IdLike]] = None,
        custom: Optional[Mapping[str, _CustomIn]] = None,
        created_at: Optional[_TimeLike] = None,
        actor: Optional[str] = None,
        source: Optional[str] = None,
    ) -> Party: ...
    def get_party(self, party: _IdLike) -> Party: ...
    def get_party_by_external_id(self, external_id: str) -> Party: ...
    def find_party(self, key: str) -> Party: ...
    def list_parties(self, after: Optional[_IdLike] = None, limit: int = 100) -> List[Party]: ...
    def set_consent(
        self,
        party: _IdLike,
        contact: _IdLike,
        consent: Union[_ConsentDict, Consent],
        *,
        actor: Optional[str] = None,
        source: Optional[str] = None,
    ) -> Party: ...

    # organisations
    def link_to_organization(
        self,
        person: _IdLike,
        organization: _IdLike,
        role: str = "",
        *,
        actor: Optional[str] = None,
        source: Optional[str] = None,
    ) -> Membership: ...
    def unlink_from_organization(
        self,
        person: _IdLike,
        organization: _IdLike,
        *,
        actor: Optional[str] = None,
        source: Optional[str] = None,
    ) -> None: ...

    # timeline
    def log_interaction(
        self,
        party: _IdLike,
        channel: Literal[
            "call", "email", "sms", "meeting", "chat", "social", "portal", "visit", "other"
        ] = "other",
        *,
        direction: Literal["inbound", "outbound", "internal"] = "inbound",
        at: Optional[_TimeLike] = None,
        subject: str = "",
        summary: str = "",
        duration_s: Optional[int] = None,
        outcome: str = "",
        external_id: str = "",
        handled_by: Optional[str] = None,
        actor: Optional[str] = None,
        source: Optional[str] = None,
    ) -> Interaction: ...
    def timeline(
        self, party: _IdLike, *, before: Optional[str] = None, limit: int = 50
    ) -> TimelinePage: ...
    def iter_timeline(self, party: _IdLike, batch: int = 100) -> Iterator[Interaction]: ...

    # activities
    def schedule_activity(
        self,
        party: _IdLike,
        subject: str,
        due: _TimeLike,
        *,
        kind: Literal["task", "call", "meeting"] = "task",
        note: str = "",
        assignee: str = "",
        actor: Optional[str] = None,
        source: Optional[str] = None,
    ) -> Activity: ...
    def complete_activity(
        self, activity: _IdLike, *, actor: Optional[str] = None, source: Optional[str] = None
    ) -> Activity: ...
    def cancel_activity(
        self, activity: _IdLike, *, actor: Optional[str] = None, source: Optional[str] = None
    ) -> Activity: ...
    def overdue_activities(self, assignee: str, *, limit: int = 100) -> List[Activity]: ...
    def activities_due_by(
        self, assignee: str, until: _TimeLike, *, limit: int = 100
    ) -> List[Activity]: ...

    # purchases
    def record_purchase(
        self,
        party: _IdLike,
        order_id: str,
        ordered_at: _TimeLike,
        total: _MoneyLike,
        *,
        lines: Optional[Sequence[Union[_LineDict, PurchaseLine]]] = None,
        actor: Optional[str] = None,
        source: Optional[str] = None,
    ) -> Written[Purchase]: ...
    def purchases(self, party: _IdLike) -> List[Purchase]: ...

    # custom fields
    def define_field(
        self,
        name: str,
        type: Literal[
            "text", "integer", "decimal", "money", "boolean", "date", "enum", "multi_enum"
        ] = "text",
        *,
        record_type: str = "party",
        label: str = "",
        required: bool = False,
        allowed: Optional[Sequence[str]] = None,
        min: Optional[int] = None,
        max: Optional[int] = None,
        currency: str = "",
        actor: Optional[str] = None,
        source: Optional[str] = None,
    ) -> FieldDef: ...
    def fields(self, record_type: str = "party") -> List[FieldDef]: ...

    # the 360 view, search, duplicates, merge
    def customer_360(self, party: _IdLike, *, recent_interactions: int = 20) -> Customer360: ...
    def search(
        self, text: str = "", *, tag: str = "", limit: int = 20, offset: int = 0
    ) -> List[SearchHit]: ...
    def find_duplicates(
        self,
        *,
        rules: Optional[Sequence[_RuleDict]] = None,
        min_score: float = 0.7,
        limit: int = 1000,
    ) -> List[DuplicatePair]: ...
    def merge(
        self,
        survivor: _IdLike,
        merged: Union[_IdLike, Sequence[_IdLike]],
        *,
        rules: Optional[Mapping[str, _Survivorship]] = None,
        default_rule: _Survivorship = "survivor",
        actor: Optional[str] = None,
        source: Optional[str] = None,
    ) -> Party: ...

    # audit and events
    def audit_trail(self, record: _IdLike, *, limit: int = 100) -> List[AuditEntry]: ...
    def events_after(self, cursor: int = 0, *, limit: int = 100) -> List[Event]: ...
    def iter_events(self, after: int = 0, batch: int = 500) -> Iterator[Event]: ...
    def acknowledge(self, consumer: str, cursor: int) -> None: ...
    def consumer_cursor(self, consumer: str) -> int: ...

    # imports
    def import_customers(
        self,
        path: _CsvSource,
        *,
        dry_run: bool = False,
        progress: Optional[Callable[[int], object]] = None,
        batch_size: int = 10000,
        actor: Optional[str] = None,
        source: Optional[str] = None,
    ) -> ImportReport: ...
    def import_orders(
        self,
        path: _CsvSource,
        *,
        dry_run: bool = False,
        progress: Optional[Callable[[int], object]] = None,
        batch_size: int = 10000,
        actor: Optional[str] = None,
        source: Optional[str] = None,
    ) -> ImportReport: ...
    def export_customers(self, path: Union[str, os.PathLike[str]]) -> int: ...
