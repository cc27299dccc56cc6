"""crmcore for Python: customers, their contacts, timeline, activities and
purchases, kept by the crmcore C++ engine.

    import crm
    with crm.Engine.open("customers.db") as engine:
        p = engine.create_party(first_name="Ali", last_name="Rezaei",
                                email="ali@example.ir", phone="0912 123 4567")
        with engine.transaction():
            engine.log_interaction(p, "call", subject="first call")

Records (Party, Activity, ...) are read-only objects with to_dict(). Ids are
str; times are timezone-aware UTC datetimes; money is crm.Money. Every
failure raises a subclass of crm.Error carrying .code, .field and .message.
"""

from __future__ import annotations

import contextlib
import dataclasses as _dataclasses
import types as _types
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from . import _crm
from ._crm import (
    Activity,
    AuditEntry,
    Consent,
    ContactPoint,
    Customer360,
    DuplicatePair,
    Engine,
    Event,
    FieldChange,
    FieldDef,
    ImportProblem,
    ImportReport,
    Interaction,
    Membership,
    Money,
    Party,
    Purchase,
    PurchaseLine,
    PurchaseSummary,
    SearchHit,
    TimelinePage,
    Written,
)

__version__: str = _crm.__version__


# ---- errors -------------------------------------------------------------------


class Error(Exception):
    """A failed crmcore call. `code` names the kind of failure
    ("not_found"), `field` the offending input field when the input was at
    fault ("contacts[1].value", else ""), `message` says what is wrong."""

    code: str = "internal"

    def __init__(self, message: str = "", field: str = "") -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.message = message
        self.field = field

    def __reduce__(self):  # keep message and field through pickle
        return (type(self), (self.message, self.field))


class InvalidArgument(Error, ValueError):
    """The input failed validation; `field` names it."""

    code = "invalid_argument"


class NotFound(Error, LookupError):
    """The addressed record does not exist."""

    code = "not_found"


class Conflict(Error):
    """A uniqueness or concurrent-change violation (a taken external_id, a
    transaction already open)."""

    code = "conflict"


class InvalidTransition(Error):
    """The record's state does not allow the move (completing a cancelled
    activity), or the engine is closed."""

    code = "invalid_transition"


class PermissionDenied(Error):
    """The actor may not do this."""

    code = "permission_denied"


class StorageError(Error):
    """The backend failed: I/O, a corrupt or locked file."""

    code = "storage"


class ParseError(Error, ValueError):
    """Malformed JSON, CSV, date or number text."""

    code = "parse"


class Unsupported(Error):
    """A feature this backend, build or engine does not have."""

    code = "unsupported"


class VersionMismatch(Error):
    """The database was written by a newer crmcore."""

    code = "version_mismatch"


class InternalError(Error):
    """A bug in crmcore; please report it."""

    code = "internal"


_ERRORS = (
    InvalidArgument,
    NotFound,
    Conflict,
    InvalidTransition,
    PermissionDenied,
    StorageError,
    ParseError,
    Unsupported,
    VersionMismatch,
    InternalError,
)
_crm._register_errors({cls.code: cls for cls in _ERRORS})


# ---- transactions and iteration, added to Engine ----------------------------


@contextlib.contextmanager
def _transaction(self: Engine) -> Iterator[Engine]:
    """`with engine.transaction():` groups the calls in the block into one
    transaction: committed when the block ends, rolled back when it raises.
    Transactions do not nest (Conflict)."""
    self.begin()
    try:
        yield self
    except BaseException:
        if not self.closed and self.in_transaction:
            self.rollback()
        raise
    self.commit()


def _iter_events(self: Engine, after: int = 0, batch: int = 500) -> Iterator[Event]:
    """Every event with seq > after, oldest first, read `batch` at a time as
    the iteration goes."""
    cursor = after
    while True:
        events = self.events_after(cursor, limit=batch)
        yield from events
        if len(events) < batch:
            return
        cursor = events[-1].seq


def _iter_timeline(
    self: Engine, party: Union[str, Party], batch: int = 100
) -> Iterator[Interaction]:
    """The party's whole timeline, newest first, read page by page as the
    iteration goes."""
    before: Optional[str] = None
    while True:
        page = self.timeline(party, before=before, limit=batch)
        yield from page.items
        if page.next is None:
            return
        before = page.next


def _activities(self: Engine, *, owner: object = None, status: object = None,
                due_before: object = None, overdue: Optional[bool] = None,
                created_since: object = None, changed_since: object = None,
                party: object = None, tag: Optional[str] = None, where: object = None,
                order: Optional[str] = None) -> Worklist:
    """Activities as a lazy worklist: owner (the assignee), status,
    due_before, overdue, created_since, changed_since, party, tag, where,
    order (newest, oldest, changed, due)."""
    return Worklist(self, "activity.list", {
        "owner": owner, "status": status, "due_before": due_before, "overdue": overdue,
        "created_since": created_since, "changed_since": changed_since, "party": party,
        "tag": tag, "where": where, "order": order})


def _check_identifier(self: Engine, kind: str, value: str) -> Dict[str, Any]:
    """An Iranian identifier checked, in its canonical form: kind "sheba"
    (mod 97; its bank), "bank_card" (Luhn; its bank), "postal_code",
    "national_id" or "legal_id". Answers {kind, value, formatted?, bank?};
    a bad one raises InvalidArgument naming "value" (docs/IRAN.md)."""
    return self.execute("identifier.check", {"kind": kind, "value": value})


def _request_value(value: object, field: str = "") -> object:
    """A value as a JSON request takes it, at any depth: an aware datetime
    as ISO 8601 text (a naive one is refused, as everywhere in this
    module: its zone would be a guess), a date as "YYYY-MM-DD", Money as
    {minor, currency}, a record (Party, Activity, ...) by its id."""
    import datetime as _dt
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidArgument(
                "is a naive datetime; give it a time zone (datetime.timezone.utc)", field)
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Money):
        return {"minor": value.minor, "currency": value.currency}
    if isinstance(value, dict):
        return {k: _request_value(v, f"{field}.{k}" if field else str(k))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_request_value(v, f"{field}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, (str, bytes, int, float, bool)) and value is not None:
        record_id = getattr(value, "id", None)
        if isinstance(record_id, str):
            return record_id
    return value


def _request(request: Dict[str, Any]) -> Dict[str, Any]:
    """A wrapper's request: unset (None) members left out, values as
    _request_value makes them."""
    return {k: _request_value(v, k) for k, v in request.items() if v is not None}


class Worklist:
    """The records of one type a list command selects (a worklist: filters,
    order and paging as docs/WORKLISTS.md describes), read lazily: iterating
    reads page after page as it goes, so a list of a million tickets costs
    one page of memory. `total` counts every record selected (one query,
    made on first use); `page()` reads one page as {items, next, total}.

        for t in desk.tickets(queue="billing", status="open", order="due"):
            ...
    """

    def __init__(self, engine: "Engine", method: str, filters: Dict[str, Any],
                 page_size: int = 100) -> None:
        self._engine = engine
        self._method = method
        self._filters = _request(filters)
        self._page_size = page_size
        self._total: Optional[int] = None

    def page(self, after: Optional[str] = None, limit: Optional[int] = None) -> Dict[str, Any]:
        request = dict(self._filters)
        request["limit"] = self._page_size if limit is None else limit
        if after is not None:
            request["after"] = after
        return self._engine.execute(self._method, request)

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = int(self.page(limit=1)["total"])
        return self._total

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        after: Optional[str] = None
        first = True
        while True:
            request = dict(self._filters)
            request["limit"] = self._page_size
            request["count"] = first and self._total is None
            if after is not None:
                request["after"] = after
            page = self._engine.execute(self._method, request)
            if "total" in page:
                self._total = int(page["total"])
            first = False
            yield from page["items"]
            after = page.get("next")
            if after is None:
                return


class Sales:
    """The sales side of an Engine: process definitions, leads and their
    qualification, scoring and conversion, opportunities on pipelines, their
    moves and history, the product catalogue and quotes. Every method runs one command of the
    catalogue (Engine.execute) and answers its JSON response as a dict;
    money is {"minor": int, "currency": str}. Errors raise crm.Error
    subclasses, InvalidTransition for a move the stage does not allow.

        sales = crm.Sales(engine)
        opp = sales.create_opportunity(party=p.id, name="ERP licences")
        sales.move(opp["id"], "propose", changes={"amount": {"minor": 5000000, "currency": "IRR"}})
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _run(self, method: str, request: dict) -> dict:
        return self.engine.execute(method, _request(request))

    def define_process(self, definition: dict) -> dict:
        return self._run("process.define", {"definition": definition})

    def process(self, id: str, version: int = 0, format: str = "json") -> dict:
        return self._run("process.get", {"id": id, "version": version, "format": format})

    def define_calendar(self, calendar: dict) -> dict:
        return self._run("calendar.define", {"calendar": calendar})

    def holidays(self, year: Optional[int] = None, *, from_date: object = None,
                 to_date: object = None, calendar: Optional[str] = None) -> List[dict]:
        """The holidays of a business calendar in a Jalali year, or from one
        day to another ("YYYY-MM-DD" or a datetime.date): each {date, jalali,
        name, hijri, provisional}. A lunar holiday on a computed day is
        provisional until the calendar's hijri_months confirm its month."""
        return self._run("calendar.holidays", {
            "calendar": calendar, "year": year,
            "from": None if from_date is None else str(from_date),
            "to": None if to_date is None else str(to_date)})["items"]

    def create_opportunity(self, **fields: object) -> dict:
        return self._run("opportunity.create", fields)

    def update_opportunity(self, id: str, **changes: object) -> dict:
        return self._run("opportunity.update", {"id": id, "changes": changes})

    def get_opportunity(self, id: str) -> dict:
        return self._run("opportunity.get", {"id": id})

    def opportunities_of(self, party: str) -> list:
        return list(self.opportunities(party=party))

    def opportunities(self, **filters: object) -> Worklist:
        """Opportunities as a lazy worklist: owner, team, stage, status,
        pipeline, due_before, overdue, created_since, changed_since, party,
        tag, where (a rule), order (newest, oldest, changed, due)."""
        return Worklist(self.engine, "opportunity.list", dict(filters))

    def move(self, id: str, move: str, *, reason: Optional[str] = None,
             close: Optional[dict] = None, changes: Optional[dict] = None) -> dict:
        return self._run("opportunity.move",
                         {"id": id, "move": move, "reason": reason, "close": close,
                          "changes": changes})

    def win(self, id: str, reason: str, **close: object) -> dict:
        return self._run("opportunity.win", {"id": id, "close": dict(close, reason=reason)})

    def lose(self, id: str, reason: str, **close: object) -> dict:
        return self._run("opportunity.lose", {"id": id, "close": dict(close, reason=reason)})

    def reopen(self, id: str, reason: Optional[str] = None) -> dict:
        return self._run("opportunity.reopen", {"id": id, "reason": reason})

    def moves(self, id: str) -> list:
        return self._run("opportunity.moves", {"id": id})["items"]

    def pipeline(self, pipeline: str = "sales") -> dict:
        return self._run("pipeline.show", {"pipeline": pipeline})

    def history(self, id: str, record_type: str = "opportunity") -> list:
        return self._run("history.get", {"record_type": record_type, "id": id})["items"]

    def capture_lead(self, **fields: object) -> dict:
        return self._run("lead.capture", fields)

    def update_lead(self, id: str, **changes: object) -> dict:
        return self._run("lead.update", {"id": id, "changes": changes})

    def get_lead(self, id: str) -> dict:
        return self._run("lead.get", {"id": id})

    def leads_of(self, party: str) -> list:
        return list(self.leads(party=party))

    def leads(self, **filters: object) -> Worklist:
        """Leads as a lazy worklist, those without a party too: owner,
        state, status, created_since, changed_since, party, tag, where, order."""
        return Worklist(self.engine, "lead.list", dict(filters))


    def move_lead(self, id: str, move: str, reason: Optional[str] = None) -> dict:
        return self._run("lead.move", {"id": id, "move": move, "reason": reason})

    def disqualify_lead(self, id: str, reason: str, note: Optional[str] = None) -> dict:
        return self._run("lead.disqualify", {"id": id, "reason": reason, "note": note})

    def convert_lead(self, id: str, **options: object) -> dict:
        return self._run("lead.convert", dict(options, id=id))

    def define_lead_scoring(self, rules: list) -> dict:
        return self._run("lead.scoring", {"rules": rules})

    def forecast(self, period: str, calendar: str = "gregorian", group_by: str = "owner",
                 **filters: object) -> dict:
        return self._run("forecast", dict(filters, period=period, calendar=calendar,
                                          group_by=group_by))

    def pipeline_as_of(self, at: str, pipeline: str = "sales", owner: Optional[str] = None) -> list:
        """Each stage as it stood at `at` (with `owner`: that owner's deals)."""
        request = {"pipeline": pipeline, "at": at}
        if owner is not None:
            request["owner"] = owner
        return self._run("pipeline.as_of", request)["items"]

    def migrate(self, pipeline: str, from_version: int, to_version: int,
                mapping: Optional[dict] = None) -> int:
        return self._run("opportunity.migrate",
                         {"pipeline": pipeline, "from_version": from_version,
                          "to_version": to_version, "mapping": mapping})["migrated"]

    def define_product(self, sku: str, name: str, **fields: object) -> dict:
        return self._run("product.define", dict(fields, sku=sku, name=name))

    def get_product(self, sku: str) -> dict:
        return self._run("product.get", {"sku": sku})

    def products(self, after: Optional[str] = None, limit: int = 100) -> list:
        return self._run("product.list", {"after": after, "limit": limit})["items"]

    def define_tax_category(self, id: str, rate_bp: int, label: Optional[str] = None) -> dict:
        return self._run("tax.define", {"id": id, "rate_bp": rate_bp, "label": label})

    def tax_categories(self) -> list:
        return self._run("tax.list", {})["items"]

    def create_quote(self, **fields: object) -> dict:
        return self._run("quote.create", fields)

    def update_quote(self, id: str, **changes: object) -> dict:
        return self._run("quote.update", {"id": id, "changes": changes})

    def get_quote(self, id: str, unit: str = "rial") -> dict:
        """The quote by id or number; total_text (Persian digits and words)
        in rials, or in tomans with unit="toman"."""
        return self._run("quote.get", {"id": id, "unit": unit})

    def quotes(self, *, opportunity: Optional[str] = None, revisions_of: Optional[str] = None,
               **filters: object) -> Any:
        """Quote revisions as a lazy worklist: owner, state, status,
        due_before and overdue (the validity date), created_since,
        changed_since, party, tag, where, order. With `opportunity`, the
        quotes of a deal (newest first), and with `revisions_of` every
        revision of a quote (oldest first), as lists."""
        if opportunity is not None or revisions_of is not None:
            return self._run("quote.list", {"opportunity": opportunity,
                                            "revisions_of": revisions_of})["items"]
        return Worklist(self.engine, "quote.list", dict(filters))

    def move_quote(self, id: str, move: str, reason: Optional[str] = None) -> dict:
        return self._run("quote.move", {"id": id, "move": move, "reason": reason})

    def revise_quote(self, id: str, reason: Optional[str] = None, **changes: object) -> dict:
        return self._run("quote.revise", {"id": id, "changes": changes, "reason": reason})

    def record_order(self, id: str, erp_order_id: str) -> dict:
        return self._run("quote.order", {"id": id, "erp_order_id": erp_order_id})

    def quote_moves(self, id: str) -> list:
        return self._run("quote.moves", {"id": id})["items"]


class Service:
    """The service desk of an Engine: queues, SLA policies and tickets whose
    clocks count business time. Like Sales, every method runs one command of
    the catalogue and answers its JSON response as a dict; errors raise
    crm.Error subclasses (InvalidTransition for a move the state does not
    allow). The library starts no threads: call tick() now and then.

        desk = crm.Service(engine)
        desk.define_sla_policy({"id": "standard", "kpis": {
            "resolution": {"failure": {"business_hours": 8}}}})
        t = desk.create_ticket(subject="No internet", party=p.id, priority="high")
        desk.comment(t["id"], "We are on it")        # the first response
        desk.move(t["id"], "resolve", reason="modem replaced")
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _run(self, method: str, request: dict) -> dict:
        return self.engine.execute(method, _request(request))

    def define_queue(self, id: str, name: Optional[str] = None,
                     members: Optional[list] = None) -> dict:
        return self._run("queue.define", {"id": id, "name": name, "members": members})

    def queues(self) -> list:
        return self._run("queue.list", {})["items"]

    def define_assignment_rule(self, rule: dict) -> dict:
        return self._run("assignment.define", {"rule": rule})

    def assignment_rules(self) -> list:
        return self._run("assignment.list", {})["items"]

    def auto_assign(self, id: str) -> dict:
        return self._run("ticket.auto_assign", {"id": id})

    def define_escalation_rule(self, rule: dict) -> dict:
        return self._run("escalation.define", {"rule": rule})

    def escalation_rules(self) -> list:
        return self._run("escalation.list", {})["items"]

    def define_sla_policy(self, policy: dict) -> dict:
        return self._run("sla.define", {"policy": policy})

    def sla_policies(self) -> list:
        return self._run("sla.list", {})["items"]

    def create_ticket(self, **fields: object) -> dict:
        return self._run("ticket.create", fields)

    def update_ticket(self, id: str, **changes: object) -> dict:
        return self._run("ticket.update", {"id": id, "changes": changes})

    def get_ticket(self, id: str) -> dict:
        return self._run("ticket.get", {"id": id})

    def tickets_of(self, party: str) -> list:
        return list(self.tickets(party=party))

    def tickets(self, **filters: object) -> Worklist:
        """Tickets as a lazy worklist: owner (the assignee), queue, state,
        status, priority, sla_status, due_before and overdue (the SLA due),
        created_since, changed_since, party, tag, where, order."""
        return Worklist(self.engine, "ticket.list", dict(filters))

    def move(self, id: str, move: str, reason: Optional[str] = None) -> dict:
        return self._run("ticket.move", {"id": id, "move": move, "reason": reason})

    def moves(self, id: str) -> list:
        return self._run("ticket.moves", {"id": id})["items"]

    def assign(self, id: str, assignee: str) -> dict:
        return self._run("ticket.assign", {"id": id, "assignee": assignee})

    def refer(self, id: str, reason: str, *, queue: Optional[str] = None,
              assignee: Optional[str] = None) -> dict:
        return self._run("ticket.refer",
                         {"id": id, "queue": queue, "assignee": assignee, "reason": reason})

    def merge(self, id: str, into: str) -> dict:
        return self._run("ticket.merge", {"id": id, "into": into})

    def comment(self, id: str, body: Optional[str] = None, *, public: bool = True,
                author_kind: str = "agent", attachments: Optional[list] = None) -> dict:
        return self._run("ticket.comment", {"id": id, "body": body, "public": public,
                                            "author_kind": author_kind,
                                            "attachments": attachments})

    def comments(self, id: str, include_internal: bool = True) -> list:
        return self._run("ticket.comments",
                         {"id": id, "include_internal": include_internal})["items"]

    def explain_sla(self, id: str, kpi: str) -> list:
        return self._run("ticket.explain_sla", {"id": id, "kpi": kpi})["steps"]

    def record_csat(self, id: str, score: int, comment: Optional[str] = None) -> dict:
        return self._run("ticket.csat", {"id": id, "score": score, "comment": comment})

    def record_nps(self, party: str, score: int, comment: Optional[str] = None) -> dict:
        return self._run("nps.record", {"party": party, "score": score, "comment": comment})

    def nps_of(self, party: str, limit: Optional[int] = None) -> list:
        return self._run("nps.list", {"party": party, "limit": limit})["items"]

    def portal_view(self, party: str) -> list:
        return self._run("portal.view", {"party": party})["items"]

    def portal_quotes(self, party: str, unit: Optional[str] = None) -> list:
        """The quotes a customer portal shows a party: the current revision
        of each sent quote, with total_text {digits, words, unit} in Persian
        (unit "toman" shows an IRR total in tomans)."""
        return self._run("portal.view", {"party": party, "unit": unit})["quotes"]

    def run_proactive(self, id: str, rule: dict, subject: str, **options: object) -> dict:
        return self._run("service.proactive",
                         dict(options, id=id, rule=rule, subject=subject))

    def report(self, period: str, *, calendar: Optional[str] = None,
               group_by: Optional[str] = None, time_zone: Optional[str] = None) -> dict:
        return self._run("service.report", {"period": period, "calendar": calendar,
                                            "group_by": group_by, "time_zone": time_zone})

    def tick(self, now: Optional[str] = None, limit: Optional[int] = None) -> dict:
        return self._run("tick", {"now": now, "limit": limit})


class Marketing:
    """The marketing side of an Engine: segments over party profiles kept up
    to date on every write, campaigns with their delivery plans and report,
    and the customer club (loyalty programmes). Like Service, every method runs one command of
    the catalogue and answers its JSON response as a dict (or a list of
    party ids); errors raise crm.Error subclasses naming the field. The
    library starts no threads: call refresh() now and then, as tick().

        mk = crm.Marketing(engine)
        mk.define_segment({"id": "loyal", "rule": "purchases.count_365d >= 3 and consent.sms"})
        mk.count("loyal")                     # evaluated now
        mk.explain("loyal", party.id)["tree"] # which conditions held
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _run(self, method: str, request: dict) -> dict:
        return self.engine.execute(method, _request(request))

    def configure(self, **settings: object) -> dict:
        return self._run("marketing.configure", {"settings": settings})

    def settings(self) -> dict:
        return self._run("marketing.settings", {})

    def profile(self, party: str) -> dict:
        return self._run("profile.get", {"party": party})

    def profile_schema(self) -> list:
        return self._run("profile.schema", {})["items"]

    def rebuild_profiles(self) -> int:
        return int(self._run("profile.rebuild", {})["profiles"])

    def define_segment(self, segment: dict) -> dict:
        return self._run("segment.define", {"segment": segment})

    def segment(self, id: str) -> dict:
        return self._run("segment.get", {"id": id})

    def segments(self) -> list:
        return self._run("segment.list", {})["items"]

    def count(self, id: str) -> int:
        return int(self._run("segment.count", {"id": id})["count"])

    def members(self, id: str, *, after: Optional[str] = None,
                limit: Optional[int] = None) -> list:
        return self._run("segment.members", {"id": id, "after": after, "limit": limit})["items"]

    def iter_members(self, id: str, page: int = 1000) -> Iterator[str]:
        after = None
        while True:
            got = self._run("segment.members", {"id": id, "after": after, "limit": page})
            yield from got["items"]
            if got["next"] is None:
                return
            after = got["next"]

    def sample(self, id: str, size: int = 100, seed: int = 0) -> list:
        return self._run("segment.sample", {"id": id, "size": size, "seed": seed})["items"]

    def explain(self, id: str, party: str) -> dict:
        return self._run("segment.explain", {"id": id, "party": party})

    def memberships(self, party: str, history: bool = False) -> list:
        return self._run("segment.memberships", {"party": party, "history": history})["items"]

    def history(self, id: str, limit: Optional[int] = None) -> list:
        return self._run("segment.history", {"id": id, "limit": limit})["items"]

    def snapshot(self, from_segment: str, list: str) -> int:
        return int(self._run("segment.snapshot", {"from": from_segment, "list": list})["members"])

    def add_to_list(self, list: str, parties: Sequence[str]) -> int:
        return int(self._run("list.add", {"list": list, "parties": [str(p) for p in parties]})["added"])

    def remove_from_list(self, list: str, parties: Sequence[str]) -> int:
        return int(self._run("list.remove",
                             {"list": list, "parties": [str(p) for p in parties]})["removed"])

    def suppress(self, list: str, kind: str, value: str, reason: Optional[str] = None) -> dict:
        return self._run("suppression.add",
                         {"list": list, "kind": kind, "value": value, "reason": reason})

    def unsuppress(self, list: str, kind: str, value: str) -> bool:
        return bool(self._run("suppression.remove",
                              {"list": list, "kind": kind, "value": value})["removed"])

    def suppression_entries(self, list: str) -> list:
        return self._run("suppression.list", {"list": list})["items"]

    def refresh(self, rfm: bool = False) -> dict:
        return self._run("segment.refresh", {"rfm": rfm})

    def create_campaign(self, **fields: object) -> dict:
        return self._run("campaign.create", fields)

    def update_campaign(self, id: str, **changes: object) -> dict:
        return self._run("campaign.update", {"id": id, "changes": changes})

    def campaign(self, id: str) -> dict:
        return self._run("campaign.get", {"id": id})

    def campaigns(self, **filters: object) -> Worklist:
        """Campaigns as a lazy worklist: state, status, created_since,
        changed_since, where (over name, channels, segments, members,
        expected_responses, budget), order."""
        return Worklist(self.engine, "campaign.list", dict(filters))

    def move_campaign(self, id: str, move: str, reason: Optional[str] = None) -> dict:
        return self._run("campaign.move", {"id": id, "move": move, "reason": reason})

    def campaign_members(self, campaign: str, *, after: Optional[str] = None,
                         limit: Optional[int] = None) -> list:
        return self._run("campaign.members",
                         {"campaign": campaign, "after": after, "limit": limit})["items"]

    def report_status(self, campaign: str, party: str, status: str,
                      at: Optional[str] = None) -> dict:
        return self._run("campaign.status",
                         {"campaign": campaign, "party": party, "status": status, "at": at})

    def plan_delivery(self, campaign: str, **options: object) -> dict:
        return self._run("campaign.plan", dict(options, campaign=campaign))

    def delivery_plan(self, campaign: str, plan: int = 0) -> dict:
        return self._run("campaign.plan_get", {"campaign": campaign, "plan": plan})

    def dispatch(self, campaign: str, plan: int, batch: int) -> list:
        return self._run("campaign.dispatch",
                         {"campaign": campaign, "plan": plan, "batch": batch})["items"]

    def campaign_report(self, id: str) -> dict:
        return self._run("campaign.report", {"id": id})

    def sms_parts(self, text: str) -> dict:
        """The encoding (gsm7, or ucs2 for Persian) and the parts an SMS is
        sent as: {encoding, characters, units, parts, per_part, remaining}."""
        return self._run("sms.parts", {"text": text})

    def render_sms(self, template: str, **fields: str) -> dict:
        """A template filled in for one recipient ({first_name}; {{ and }}
        for braces) with its parts; an unknown field raises InvalidArgument
        naming "template"."""
        return self._run("sms.render", {"template": template, "fields": fields})

    def define_loyalty_program(self, program: dict) -> dict:
        return self._run("loyalty.define", {"program": program})

    def loyalty_program(self, id: str) -> dict:
        return self._run("loyalty.get", {"id": id})

    def loyalty_programs(self) -> list:
        return self._run("loyalty.list", {})["items"]

    def enrol(self, program: str, party: str) -> dict:
        return self._run("loyalty.enrol", {"program": program, "party": party})

    def loyalty(self, program: str, party: str, recent: Optional[int] = None) -> dict:
        return self._run("loyalty.status", {"program": program, "party": party, "recent": recent})

    def redeem(self, program: str, party: str, points: int, key: str,
               reason: Optional[str] = None) -> dict:
        return self._run("loyalty.redeem", {"program": program, "party": party, "points": points,
                                            "key": key, "reason": reason})

    def adjust(self, program: str, party: str, points: int, key: str,
               reason: Optional[str] = None) -> dict:
        return self._run("loyalty.adjust", {"program": program, "party": party, "points": points,
                                            "key": key, "reason": reason})

    def refresh_loyalty(self, program: Optional[str] = None) -> dict:
        return self._run("loyalty.refresh", {"program": program})


def _pandas():
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - Debian's python3-pandas is a dependency
        raise Unsupported("to_pandas() needs pandas (Debian: python3-pandas)", "pandas") from e
    return pandas


@_dataclasses.dataclass(frozen=True)
class Estimate:
    """One fitted parameter: its value and standard error (None when the
    observed information does not give one)."""
    name: str = ""
    value: float = 0.0
    std_error: Optional[float] = None


@_dataclasses.dataclass(frozen=True)
class FitReport:
    """How a model was fitted: estimates, log-likelihood, evaluations, and
    warnings naming a parameter that ended at the edge of its range (a
    limit, not an estimate)."""
    model: str = ""
    parameters: Tuple[Estimate, ...] = ()
    log_likelihood: float = 0.0
    customers: int = 0
    evaluations: int = 0
    optimiser: str = ""
    warnings: Tuple[str, ...] = ()

    @classmethod
    def _of(cls, d: dict) -> "FitReport":
        return cls(d["model"], tuple(Estimate(p["name"], p["value"], p["std_error"])
                                     for p in d["parameters"]),
                   d["log_likelihood"], d["customers"], d["evaluations"], d["optimiser"],
                   tuple(d["warnings"]))

    def params(self) -> Dict[str, float]:
        """{"r": 0.243, "alpha": 4.414, ...}"""
        return {p.name: p.value for p in self.parameters}

    def to_pandas(self):
        """A DataFrame indexed by parameter name: value, std_error."""
        pd = _pandas()
        return pd.DataFrame([{"name": p.name, "value": p.value, "std_error": p.std_error}
                             for p in self.parameters]).set_index("name")


@_dataclasses.dataclass(frozen=True)
class ClvFit:
    """What fitting the lifetime value models on the stored purchases found
    (docs/ANALYTICS.md)."""
    currency: str = ""
    model: str = ""
    unit: str = ""
    calibration_end: str = ""
    customers: int = 0
    repeat_customers: int = 0
    purchases_read: int = 0
    purchases_after_calibration: int = 0
    purchases_other_currencies: int = 0
    customers_after_calibration: int = 0
    purchase_model: Optional[FitReport] = None
    spend_model: Optional[FitReport] = None

    @classmethod
    def _of(cls, d: dict) -> "ClvFit":
        plain = {k: v for k, v in d.items() if k not in ("purchase_model", "spend_model")}
        return cls(**plain, purchase_model=FitReport._of(d["purchase_model"]),
                   spend_model=FitReport._of(d["spend_model"]))


@_dataclasses.dataclass(frozen=True)
class ClvRun:
    """What a scoring run did: the run's audit record, the fit, the parties
    scored and the sum of their values."""
    run: str = ""
    computed_at: str = ""
    scored: int = 0
    total_value: Optional[Money] = None
    fit: Optional[ClvFit] = None

    @classmethod
    def _of(cls, d: dict) -> "ClvRun":
        return cls(d["run"], d["computed_at"], d["scored"],
                   Money(d["total_value"]["minor"], d["total_value"]["currency"]),
                   ClvFit._of(d["fit"]))


@_dataclasses.dataclass(frozen=True)
class ClvScore:
    """A party's stored lifetime value (crm::ClvScore)."""
    party: str = ""
    computed_at: str = ""
    model: str = ""
    value: Optional[Money] = None
    expected_spend: Optional[Money] = None
    expected_purchases: float = 0.0
    p_alive: float = 0.0
    horizon_days: float = 0.0
    annual_discount_rate: float = 0.0

    @classmethod
    def _of(cls, d: dict) -> "ClvScore":
        return cls(d["party"], d["computed_at"], d["model"],
                   Money(d["value"]["minor"], d["value"]["currency"]),
                   Money(d["expected_spend"]["minor"], d["expected_spend"]["currency"]),
                   d["expected_purchases"], d["p_alive"], d["horizon_days"],
                   d["annual_discount_rate"])


@_dataclasses.dataclass(frozen=True)
class ClvSummary:
    """Per party: frequency (repeat purchase days), recency, age and mean
    repeat spend, as Fader, Hardie & Lee define them."""
    items: Tuple[Dict[str, Any], ...] = ()
    customers_after_calibration: int = 0
    purchases_read: int = 0

    def to_pandas(self):
        """A DataFrame indexed by party: frequency, recency, age, monetary."""
        pd = _pandas()
        columns = ["party", "frequency", "recency", "age", "monetary"]
        return pd.DataFrame(self.items, columns=columns).set_index("party")


@_dataclasses.dataclass(frozen=True)
class Funnel:
    """The funnel of a process (docs/ANALYTICS.md): `stages` as dicts (state,
    entered, moved_on, moved_back, still_in, closed, conversion, cumulative,
    stays, median_days, p90_days, expected_days, bottleneck), `won` and
    `outcomes`; with filters, `whole_records` and `versus_rest` (the
    subset's won rate tested against the rest's); with group_by, `groups`
    (dicts with value, records, stages, won, outcomes)."""
    process: str = ""
    version: int = 0
    record_type: str = ""
    period: Optional[str] = None
    basis: str = "cohort"
    order: str = "any"
    records: int = 0
    stages: Tuple[Dict[str, Any], ...] = ()
    won: Optional[Dict[str, Any]] = None
    outcomes: Optional[Dict[str, int]] = None
    filters: Optional[Dict[str, str]] = None
    whole_records: int = 0
    versus_rest: Optional[Dict[str, Any]] = None
    group_by: Optional[str] = None
    groups: Tuple[Dict[str, Any], ...] = ()

    @classmethod
    def _of(cls, d: dict) -> "Funnel":
        return cls(d["process"], d["version"], d["record_type"], d["period"], d["basis"],
                   d["order"], d["records"], tuple(d["stages"]), d["won"], d["outcomes"],
                   d["filters"], d["whole_records"], d["versus_rest"], d["group_by"],
                   tuple(d["groups"]))

    def to_pandas(self, group: Optional[str] = None):
        """A DataFrame indexed by state: the counts, the conversion and its
        interval, the days in the state and the bottleneck flag; of one
        group's records when `group` names a value of group_by."""
        pd = _pandas()
        stages = self.stages
        if group is not None:
            found = [g for g in self.groups if g["value"] == group]
            if not found:
                raise InvalidArgument(f"is not a group of this funnel ({self.group_by})", "group")
            stages = found[0]["stages"]
        rows = [{"state": s["state"], "entered": s["entered"], "moved_on": s["moved_on"],
                 "moved_back": s["moved_back"], "still_in": s["still_in"],
                 "conversion": s["conversion"]["value"], "conversion_low": s["conversion"]["low"],
                 "conversion_high": s["conversion"]["high"], "too_few": s["conversion"]["too_few"],
                 "cumulative": s["cumulative"]["value"], "median_days": s["median_days"],
                 "p90_days": s["p90_days"], "expected_days": s["expected_days"],
                 "bottleneck": s["bottleneck"]} for s in stages]
        return pd.DataFrame(rows).set_index("state")

    def groups_to_pandas(self):
        """A DataFrame indexed by the group_by value: records, won and the
        won rate with its interval."""
        pd = _pandas()
        rows = [{self.group_by or "group": g["value"], "records": g["records"],
                 "won": g["won"]["successes"], "won_rate": g["won"]["value"],
                 "won_low": g["won"]["low"], "won_high": g["won"]["high"],
                 "too_few": g["won"]["too_few"]} for g in self.groups]
        return pd.DataFrame(rows, columns=[self.group_by or "group", "records", "won", "won_rate",
                                           "won_low", "won_high", "too_few"]).set_index(self.group_by or "group")


@_dataclasses.dataclass(frozen=True)
class Cohorts:
    """Cohort retention and churn (docs/ANALYTICS.md): `rows` as dicts
    (period, customers, cells: a dict per later period, None in the future)
    and `churn` as dicts (period, active_at_start, new_customers, returned,
    churned, active_at_end, churn_rate)."""
    unit: str = "month"
    calendar: str = "gregorian"
    currency: Optional[str] = None
    as_of_period: str = ""
    churn_after: int = 3
    customers: int = 0
    purchases_read: int = 0
    purchases_after_as_of: int = 0
    purchases_other_currencies: int = 0
    rows: Tuple[Dict[str, Any], ...] = ()
    churn: Tuple[Dict[str, Any], ...] = ()

    @classmethod
    def _of(cls, d: dict) -> "Cohorts":
        return cls(d["unit"], d["calendar"], d["currency"], d["as_of_period"], d["churn_after"],
                   d["customers"], d["purchases_read"], d["purchases_after_as_of"],
                   d["purchases_other_currencies"], tuple(d["rows"]), tuple(d["churn"]))

    def to_pandas(self, value: str = "retained"):
        """The cohort table: a DataFrame indexed by cohort period, a column
        per period since the first purchase (0, 1, ...), holding `value`:
        "retained" (the share still buying), "customers" or "revenue_minor".
        Cells in the future are NaN, not zero."""
        if value not in ("retained", "customers", "revenue_minor"):
            raise InvalidArgument('must be "retained", "customers" or "revenue_minor"', "value")
        pd = _pandas()
        def cell(c):
            if c is None:
                return float("nan")
            return c["retained"]["value"] if value == "retained" else c[value]
        data = {r["period"]: [cell(c) for c in r["cells"]] for r in self.rows}
        frame = pd.DataFrame.from_dict(data, orient="index")
        frame.index.name = "cohort"
        frame.insert(0, "customers", [r["customers"] for r in self.rows])
        return frame

    def churn_to_pandas(self):
        """A DataFrame indexed by period: active at start, new, returned,
        churned, active at end, the churn rate and its interval."""
        pd = _pandas()
        rows = [{"period": r["period"], "active_at_start": r["active_at_start"],
                 "new_customers": r["new_customers"], "returned": r["returned"],
                 "churned": r["churned"], "active_at_end": r["active_at_end"],
                 "churn_rate": r["churn_rate"]["value"], "churn_low": r["churn_rate"]["low"],
                 "churn_high": r["churn_rate"]["high"], "too_few": r["churn_rate"]["too_few"]}
                for r in self.churn]
        return pd.DataFrame(rows, columns=["period", "active_at_start", "new_customers", "returned",
                                           "churned", "active_at_end", "churn_rate", "churn_low",
                                           "churn_high", "too_few"]).set_index("period")


@_dataclasses.dataclass(frozen=True)
class Dashboard:
    """The dashboard of a period for a role (docs/ANALYTICS.md); a part the
    role does not see is None. `funnel` and `tickets` are Funnel and
    `customers` Cohorts (each with its own to_pandas()); `sales` (the
    forecast by owner), `pipeline` (the open deals by stage), `service`
    (the service report by queue) and `clv` (the stored values'
    distribution) are dicts as in the JSON; `campaigns` a tuple of dicts.
    to_pandas(part) gives the tables."""
    period: str = ""
    from_date: str = ""
    to_date: str = ""
    calendar: str = "jalali"
    role: str = "manager"
    user: Optional[str] = None
    generated_at: str = ""
    scope: str = ""
    funnel: Optional[Funnel] = None
    sales: Optional[Dict[str, Any]] = None
    pipeline: Optional[Dict[str, Any]] = None
    service: Optional[Dict[str, Any]] = None
    tickets: Optional[Funnel] = None
    customers: Optional[Cohorts] = None
    clv: Optional[Dict[str, Any]] = None
    campaigns: Tuple[Dict[str, Any], ...] = ()

    _PARTS = ("sales", "pipeline", "sla", "backlog", "campaigns")

    @classmethod
    def _of(cls, d: dict) -> "Dashboard":
        return cls(d["period"], d["from_date"], d["to_date"], d["calendar"], d["role"], d["user"],
                   d["generated_at"], d["scope"],
                   None if d["funnel"] is None else Funnel._of(d["funnel"]),
                   d["sales"], d["pipeline"], d["service"],
                   None if d["tickets"] is None else Funnel._of(d["tickets"]),
                   None if d["customers"] is None else Cohorts._of(d["customers"]),
                   d["clv"], tuple(d["campaigns"]))

    def to_pandas(self, part: str = "sales"):
        """One table of the page as a DataFrame: "sales" (by owner and
        currency: won, lost, revenue, cycle, forecast at start, accuracy,
        target, attainment, coverage), "pipeline" (by stage and currency:
        deals, amount, weighted), "sla" and "backlog" (the service desk's,
        by queue), "campaigns" (by campaign: members, response rate and
        interval, revenue, cost, ROI, the A/B p-value). A part this role's
        page does not hold is an InvalidArgument naming it."""
        if part not in self._PARTS:
            raise InvalidArgument("must be one of " + ", ".join(self._PARTS), "part")
        pd = _pandas()
        if part == "campaigns":
            rows = [{"campaign": c["campaign"], "name": c["name"], "state": c["state"],
                     "currency": c["currency"], "members": c["members"],
                     "response": c["response"]["value"], "response_low": c["response"]["low"],
                     "response_high": c["response"]["high"], "responded": c["response"]["successes"],
                     "won_revenue_minor": c["won_revenue_minor"],
                     "actual_cost_minor": c["actual_cost_minor"], "roi": c["roi"],
                     "ab_p_value": None if c["ab"] is None else c["ab"]["p_value"]}
                    for c in self.campaigns]
            return pd.DataFrame(rows, columns=["campaign", "name", "state", "currency", "members",
                                               "response", "response_low", "response_high",
                                               "responded", "won_revenue_minor", "actual_cost_minor",
                                               "roi", "ab_p_value"]).set_index("campaign")
        source = {"sales": self.sales, "pipeline": self.pipeline, "sla": self.service,
                  "backlog": self.service}[part]
        if source is None:
            raise InvalidArgument(f"is not on the {self.role} page", "part")
        if part == "sales":
            rows = [{"owner": r["group"], "currency": r["currency"], "won": r["won_count"],
                     "lost": r["lost_count"], "win_rate": r["win_rate"], "won_minor": r["won_minor"],
                     "average_deal_minor": r["average_deal_minor"],
                     "cycle_median_days": r["cycle_median_days"],
                     "open_minor": r["pipeline"]["amount_minor"] + r["best_case"]["amount_minor"]
                                   + r["commit"]["amount_minor"],
                     "forecast_at_start_minor": r["at_start"]["weighted_minor"],
                     "forecast_accuracy": r["forecast_accuracy"], "target_minor": r["target_minor"],
                     "attainment": r["attainment"], "coverage": r["coverage"]}
                    for r in source["rows"]]
            index = ["owner", "currency"]
        elif part == "pipeline":
            rows = [{"stage": s["stage"], "label": s["label"], "currency": s["currency"],
                     "deals": s["count"], "amount_minor": s["amount_minor"],
                     "weighted_minor": s["weighted_minor"]} for s in source["stages"]]
            index = ["stage", "currency"]
        elif part == "sla":
            rows = [{"queue": r["group"], "kpi": r["kpi"], "met": r["met"], "breached": r["breached"],
                     "open": r["open"], "compliance": r["compliance"]} for r in source["sla"]]
            index = ["queue", "kpi"]
        else:
            rows = [{"queue": r["group"], "open": r["open"], "average_age_days": r["average_age_days"],
                     "oldest_age_days": r["oldest_age_days"], **r["by_age"]} for r in source["backlog"]]
            index = ["queue"]
        frame = pd.DataFrame(rows)
        return frame.set_index(index) if rows else frame


class Analytics:
    """The analytical side of an Engine: lifetime value models fitted on the
    stored purchases and scores stored per party. Options are the fields of
    the analytics.clv.* requests (docs/ANALYTICS.md): calibration_end,
    currency, unit ("weeks" or "days"), time_zone, model ("bg_nbd" or
    "pareto_nbd"), horizon, step, annual_discount_rate, max_evaluations,
    tolerance. Results are typed; tables have to_pandas().

        an = crm.Analytics(engine)
        fit = an.fit_clv(calibration_end="1997-09-30", time_zone="UTC")
        fit.purchase_model.params()           # {"r": 0.243, "alpha": 4.414, ...}
        an.clv_summary(...).to_pandas()       # one row per party
        run = an.score_clv(annual_discount_rate=0.3)
        an.clv_score(party_id).p_alive
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _run(self, method: str, request: dict) -> dict:
        return self.engine.execute(method, _request(request))

    def clv_summary(self, *, page_size: int = 100000, **options: Any) -> ClvSummary:
        """Every party's summary, read a page at a time (each page reads only
        its parties' purchases; the first page's currency is kept)."""
        items: List[Dict[str, Any]] = []
        after, after_calibration, read = None, 0, 0
        while True:
            page = self._run("analytics.clv.summary", {**options, "after": after, "limit": page_size})
            items.extend(page["items"])
            after_calibration += page["customers_after_calibration"]
            read += page["purchases_read"]
            options = {**options, "currency": page["currency"] or None}
            after = page["next"]
            if after is None:
                return ClvSummary(tuple(items), after_calibration, read)

    def fit_clv(self, **options: Any) -> ClvFit:
        return ClvFit._of(self._run("analytics.clv.fit", options))

    def score_clv(self, **options: Any) -> ClvRun:
        return ClvRun._of(self._run("analytics.clv.score", options))

    def compare(self, a: Tuple[int, int], b: Tuple[int, int], *, level: float = 0.05,
                min_trials: int = 30) -> dict:
        """Two proportions, each (successes, trials): their Wilson intervals,
        the difference and the p-value (z-test, or Fisher's exact test for
        small counts), and whether it is significant at `level`."""
        return self._run("analytics.compare", {
            "a": {"successes": a[0], "trials": a[1]}, "b": {"successes": b[0], "trials": b[1]},
            "level": level, "min_trials": min_trials})

    def funnel(self, process: str = "sales", **options: Any) -> Funnel:
        """Options: period, calendar, time_zone, basis ("cohort" or
        "activity"), order ("any" or "strict"), min_records; owner, team,
        pipeline, source, campaign (only those records); group_by."""
        return Funnel._of(self._run("analytics.funnel", {"process": process, **options}))

    def cohorts(self, **options: Any) -> Cohorts:
        """Options: unit ("month", "quarter" or "year"), calendar, time_zone,
        since, as_of, currency, churn_after, min_records."""
        return Cohorts._of(self._run("analytics.cohorts", options))

    def dashboard(self, period: Optional[str] = None, **options: Any) -> Dashboard:
        """The dashboard of a period (default: the quarter now is in):
        funnel, sales, pipeline, service, tickets, customers, clv, campaigns
        (None where the role does not see them) and the scope each read.
        Options: calendar (default "jalali"), time_zone, role ("manager",
        "sales_manager", "sales_rep", "service_manager", "service_agent",
        "marketing"), user (a rep's or agent's), process, currency, targets
        ([{"group": owner, "amount": {...}}]), cohort_months, churn_after,
        min_records."""
        request = dict(options)
        if period is not None:
            request["period"] = period
        return Dashboard._of(self._run("analytics.dashboard", request))

    def dashboard_html(self, period: Optional[str] = None, language: str = "fa", **options: Any) -> str:
        """The same dashboard as one self-contained HTML page (Persian and
        right to left, or language="en"; inline SVG charts, no script), to
        write to a file."""
        request = dict(options, format="html", language=language)
        if period is not None:
            request["period"] = period
        return self._run("analytics.dashboard", request)["html"]

    def clv_score(self, party: str) -> Optional[ClvScore]:
        score = self._run("analytics.clv.get", {"party": party})["score"]
        return None if score is None else ClvScore._of(score)


Engine.transaction = _transaction  # type: ignore[attr-defined]
Engine.iter_events = _iter_events  # type: ignore[attr-defined]
Engine.check_identifier = _check_identifier  # type: ignore[attr-defined]
Engine.iter_timeline = _iter_timeline  # type: ignore[attr-defined]
Engine.activities = _activities  # type: ignore[attr-defined]
# Written[Party] and Written[Purchase] in annotations, as in the stubs.
Written.__class_getitem__ = classmethod(_types.GenericAlias)  # type: ignore[attr-defined]

# The classes are crm's: crm.Party, not crm._crm.Party.
for _cls in (
    Activity, AuditEntry, Consent, ContactPoint, Customer360, DuplicatePair, Engine, Event,
    FieldChange, FieldDef, ImportProblem, ImportReport, Interaction, Membership, Money, Party,
    Purchase, PurchaseLine, PurchaseSummary, SearchHit, TimelinePage, Written,
):
    _cls.__module__ = __name__
del _cls

__all__ = [
    "Activity",
    "Analytics",
    "AuditEntry",
    "ClvFit",
    "ClvRun",
    "ClvScore",
    "ClvSummary",
    "Cohorts",
    "Conflict",
    "Consent",
    "ContactPoint",
    "Customer360",
    "Dashboard",
    "DuplicatePair",
    "Engine",
    "Error",
    "Estimate",
    "Event",
    "FieldChange",
    "FieldDef",
    "FitReport",
    "Funnel",
    "ImportProblem",
    "ImportReport",
    "Interaction",
    "InternalError",
    "InvalidArgument",
    "InvalidTransition",
    "Marketing",
    "Membership",
    "Money",
    "NotFound",
    "ParseError",
    "Party",
    "PermissionDenied",
    "Purchase",
    "PurchaseLine",
    "PurchaseSummary",
    "Sales",
    "SearchHit",
    "Service",
    "StorageError",
    "TimelinePage",
    "Unsupported",
    "VersionMismatch",
    "Worklist",
    "Written",
    "__version__",
]

# The module exports its own names only: the typing names its annotations
# use (text, never evaluated at run time) and contextlib are not part of it.
del annotations, contextlib, Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union
