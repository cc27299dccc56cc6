#!/usr/bin/python3
"""bench/segment_pandas.py DIR NOW_MS REPEATS - the pandas baseline of
bench_marketing.cpp: the six-condition segment computed from the raw
parties and purchases (DIR/parties.csv, DIR/purchases.csv), as an analyst
would with pandas. Loading is not timed; the segment is computed REPEATS
times. Prints the median seconds and the member count."""
import statistics
import sys
import time

import pandas as pd

DAY = 86_400_000


def segment(parties, purchases, now):
    recent = purchases[purchases.ordered_at > now - 365 * DAY]
    count_365d = recent.groupby("party_id").size().rename("count_365d")
    last90 = purchases[purchases.ordered_at > now - 90 * DAY]
    sum_90d = last90.groupby("party_id").total_minor.sum().rename("sum_90d")
    last_at = purchases.groupby("party_id").ordered_at.max().rename("last_at")
    df = parties.join(count_365d, on="id").join(sum_90d, on="id").join(last_at, on="id")
    hit = (
        df.city.isin(["تهران", "اصفهان", "شیراز"])
        & (df.lifecycle_stage == "customer")
        & (df.sms == 1)
        & (df.count_365d >= 2)
        & (df.sum_90d >= 5_000_000 * 100)
        & (df.last_at >= now - 60 * DAY)
    )
    return int(hit.sum())


def main():
    folder, now, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    parties = pd.read_csv(f"{folder}/parties.csv", dtype={"id": str, "city": str, "lifecycle_stage": str})
    purchases = pd.read_csv(f"{folder}/purchases.csv", dtype={"party_id": str})
    times, members = [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        members = segment(parties, purchases, now)
        times.append(time.perf_counter() - t0)
    print(statistics.median(times), members)


if __name__ == "__main__":
    main()
