#!/usr/bin/env bash
# bench/import_peak_memory.sh - the peak resident memory of importing N
# synthetic customers (default 1,000,000) with crmctl, in a process of its
# own. Usage: bench/import_peak_memory.sh BUILD_DIR [N]
set -euo pipefail
build="${1:?usage: $0 BUILD_DIR [N]}"
n="${2:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$n" "$work/customers.csv" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
first = ["علی", "مریم", "رضا", "زهرا", "حسین", "فاطمه", "محمد", "سارا"]
last = ["کریمی", "احمدی", "رضایی", "موسوی", "حسینی", "جعفری", "صادقی"]
with open(path, "w", encoding="utf-8") as f:
    f.write("external_id,kind,first_name,last_name,email,phone,city\n")
    for i in range(n):
        f.write(f"C{i},person,{first[i % 8]},{last[(i // 8) % 7]} {i},"
                f"user{i}@example.ir,0912{1000000 + i % 9000000},تهران\n")
PY
/usr/bin/time -f "elapsed %e s, peak resident %M KB" \
  "$build/examples/crmctl" import customers "$work/crm.db" "$work/customers.csv"
