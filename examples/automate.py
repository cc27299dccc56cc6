#!/usr/bin/python3
"""A nightly CRM job written against the crm Python module.

  1. opens (or creates) an SQLite database,
  2. imports customers.csv and orders.csv from the ERP export,
  3. tags the customers who spent the most as "high-value" and schedules a
     follow-up call for the best of them,
  4. prints the strongest duplicate candidates and the 360 view of the top
     customer,
  5. reads the outbox as the consumer "nightly-job" and acknowledges it.

Run from a build tree:

    PYTHONPATH=build/python /usr/bin/python3 examples/automate.py --db /tmp/crm.db

The data folder defaults to shared/data/sample_fa beside the repository.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import crm

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "sample_fa"
JOB = "nightly-job"
THANK_YOU_CALL = "تماس قدردانی با مشتری ویژه"  # "thank-you call to a top customer"


def rials(money: crm.Money) -> str:
    """12,500 rials for Money(1250000, 'IRR'): rials are shown without decimals."""
    if money.currency == "IRR":
        return f"{int(money.amount):,} rials"
    return str(money)


def progress_bar(label: str, total: int):
    """A progress callback printing a bar of the bytes read so far."""
    def show(done: int) -> None:
        width = 30
        filled = width * done // total if total else width
        print(f"\r  {label:<10} [{'#' * filled}{'.' * (width - filled)}] {done * 100 // max(total, 1):3d}%",
              end="", flush=True)
    return show


def import_files(engine: crm.Engine, data: Path) -> list[str]:
    """Imports the ERP export; returns the customers' external ids."""
    customers, orders = data / "customers.csv", data / "orders.csv"
    for label, path, run in (("customers", customers, engine.import_customers),
                             ("orders", orders, engine.import_orders)):
        started = time.perf_counter()
        # A bar on a terminal; logs get the summary line alone.
        bar = progress_bar(label, path.stat().st_size) if sys.stdout.isatty() else None
        report = run(path, progress=bar)
        print(f"{'' if bar is None else chr(10)}  {label}: {report.summary()} "
              f"({time.perf_counter() - started:.1f} s)")
        errors = [p for p in report.problems if p.severity == "error"]
        for p in errors[:3]:
            print(f"    line {p.line} ({p.external_id or '?'}): {p.field}: {p.reason}")
        if len(errors) > 3:
            print(f"    ... and {len(errors) - 3} more rejected rows")
    with customers.open(encoding="utf-8-sig", newline="") as f:
        return [row["external_id"] for row in csv.DictReader(f)]


def seed_demo(engine: crm.Engine) -> list[str]:
    """A few customers and orders, for machines without the sample data."""
    people = [("D1", "علی", "رضایی", "09121234567"), ("D2", "علي", "رضايي", "+98 912 123 4567"),
              ("D3", "مریم", "احمدی", "09351112233"), ("D4", "سارا", "کریمی", "09191234567")]
    with engine.transaction():
        for ext, first, last, phone in people:
            p, _ = engine.upsert_party(ext, first_name=first, last_name=last, phone=phone)
            for n in range(int(ext[1:])):
                engine.record_purchase(p, f"{ext}-O{n}", engine.now() - timedelta(days=30 * n),
                                       crm.Money(500_000_00 * (n + 1), "IRR"))
    return [p[0] for p in people]


def tag_high_value(engine: crm.Engine, external_ids: list[str], share: float) -> list[tuple[crm.Party, crm.Money]]:
    """Tags the top `share` of customers by IRR spend; returns them, best first."""
    spend = []
    for ext in external_ids:
        try:
            view = engine.customer_360(engine.get_party_by_external_id(ext), recent_interactions=0)
        except crm.NotFound:  # a row the import rejected
            continue
        irr = next((s.total for s in view.purchases if s.currency == "IRR"), None)
        if irr is not None:
            spend.append((view.party, irr))
    spend.sort(key=lambda item: item[1].minor, reverse=True)
    top = spend[: max(1, int(len(spend) * share))]
    with engine.transaction():  # one commit for the whole batch
        for party, _ in top:
            engine.update_party(party, add_tags=["high-value"])
        for party, total in top[:10]:
            open_now = engine.customer_360(party, recent_interactions=0).open_activities
            if any(a.subject == THANK_YOU_CALL for a in open_now):
                continue  # scheduled by an earlier run and not done yet
            engine.schedule_activity(party, THANK_YOU_CALL, engine.now() + timedelta(days=2),
                                     kind="call", assignee="sales:1",
                                     note=f"total purchases {rials(total)}")
    return top


def print_duplicates(engine: crm.Engine, how_many: int) -> None:
    pairs = engine.find_duplicates(limit=how_many)
    print(f"\nTop {len(pairs)} duplicate candidates:")
    for d in pairs:
        a, b = engine.get_party(d.a), engine.get_party(d.b)
        print(f"  {d.score:.2f}  {d.a_external_id} {a.display_name}  ~  {d.b_external_id} {b.display_name}"
              f"  ({', '.join(d.reasons[:2])})")


def print_360(engine: crm.Engine, party: crm.Party) -> None:
    view = engine.customer_360(party)
    p = view.party
    print(f"\n360 view of {p.display_name} ({p.external_id}, {p.kind}, {p.city or 'no city'})")
    print(f"  tags: {', '.join(p.tags) or '-'}   stage: {p.lifecycle_stage}   since {p.created_at:%Y-%m-%d}")
    for c in p.contacts:
        extra = f" [{c.operator}]" if c.operator else ""
        print(f"  {c.kind:<6} {c.value}{extra}{' (primary)' if c.primary else ''}")
    for s in view.purchases:
        print(f"  purchases: {s.count} orders, {rials(s.total)}, "
              f"{s.first_at:%Y-%m-%d} .. {s.last_at:%Y-%m-%d}")
    for a in view.open_activities:
        print(f"  to do: {a.subject} ({a.kind}, {a.assignee}, due {a.due:%Y-%m-%d})")
    for i in view.recent_interactions[:5]:
        print(f"  {i.at:%Y-%m-%d} {i.channel}: {i.subject}")


def consume_events(engine: crm.Engine) -> None:
    cursor = engine.consumer_cursor(JOB)
    counts: Counter[str] = Counter()
    last = cursor
    for event in engine.iter_events(after=cursor, batch=1000):
        counts[event.type] += 1
        last = event.seq
    if last > cursor:
        engine.acknowledge(JOB, last)
    summary = ", ".join(f"{n} {t}" for t, n in counts.most_common()) or "none"
    print(f"\nNew events since the last run: {summary}; acknowledged up to {last}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="crm_automate.db", help="SQLite file (created if missing)")
    parser.add_argument("--data", type=Path, help=f"folder with customers.csv and orders.csv "
                                                  f"(default: {DEFAULT_DATA})")
    parser.add_argument("--fresh", action="store_true", help="delete the database first")
    parser.add_argument("--top-share", type=float, default=0.05,
                        help="share of customers tagged high-value (default 0.05)")
    parser.add_argument("--duplicates", type=int, default=5, help="duplicate pairs to show")
    args = parser.parse_args()
    sys.stdout.reconfigure(errors="replace")  # type: ignore[attr-defined]

    if args.fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(args.db + suffix).unlink(missing_ok=True)
    data = args.data or DEFAULT_DATA
    if args.data and not (data / "customers.csv").is_file():
        print(f"no customers.csv in {data}", file=sys.stderr)
        return 2

    with crm.Engine.open(args.db, actor="job:nightly", source="automate.py") as engine:
        print(f"crm {crm.__version__}, database {args.db} ({engine.backend})")
        if hasattr(engine, "import_customers") and (data / "customers.csv").is_file():
            print(f"Importing from {data}")
            external_ids = import_files(engine, data)
        else:
            print("No sample data (or no import in this build): seeding a few demo customers")
            external_ids = seed_demo(engine)

        started = time.perf_counter()
        top = tag_high_value(engine, external_ids, args.top_share)
        print(f"\nTagged {len(top)} customers high-value (spend >= {rials(top[-1][1])}) "
              f"in {time.perf_counter() - started:.1f} s; follow-up calls for the first 10")
        for party, total in top[:5]:
            print(f"  {party.external_id}  {party.display_name:<30} {rials(total)}")

        print_duplicates(engine, args.duplicates)
        print_360(engine, top[0][0])
        consume_events(engine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
