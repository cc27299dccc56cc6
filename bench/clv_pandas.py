#!/usr/bin/python3
"""bench/clv_pandas.py DIR CALIBRATION_END_MS REPEATS - the pandas baseline
of bench_analytics.cpp: the lifetime value summary (frequency, recency,
age, mean repeat spend per party; purchases on one Tehran day merged, the
first day excluded from spend) computed from the raw purchases
(DIR/purchases.csv: party_id, ordered_at, total_minor) as lifetimes'
summary_data_from_transaction_data does. Loading is not timed. Prints the
median seconds and the number of customers."""
import statistics
import sys
import time

import pandas as pd

DAY = 86_400_000
TEHRAN = 12_600_000  # +03:30; Iran has kept no summer time since 2023


def summary(purchases, calibration_day):
    p = purchases.assign(day=(purchases.ordered_at + TEHRAN) // DAY)
    p = p[p.day <= calibration_day]
    days = p.groupby(["party_id", "day"], sort=True).total_minor.sum().reset_index()
    g = days.groupby("party_id")
    first = g.day.min()
    last = g.day.max()
    n = g.size()
    first_spend = g.total_minor.first()
    total = g.total_minor.sum()
    x = n - 1
    out = pd.DataFrame({
        "frequency": x,
        "recency": (last - first) / 7,
        "age": (calibration_day - first) / 7,
        "monetary": ((total - first_spend) / 100 / x.where(x > 0)).fillna(0.0),
    })
    return out


def main():
    folder, end_ms, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    purchases = pd.read_csv(f"{folder}/purchases.csv", dtype={"party_id": str})
    calibration_day = (end_ms + TEHRAN) // DAY
    times, customers = [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        customers = len(summary(purchases, calibration_day))
        times.append(time.perf_counter() - t0)
    print(statistics.median(times), customers)


if __name__ == "__main__":
    main()
