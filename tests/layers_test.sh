#!/bin/sh
# tests/layers_test.sh ROOT - the include arrows run one way (decision
# 0015): each layer below includes only what lies beside or under it.
#   storage   only the core and storage itself: below every context
#   process   the core, rules, storage, and customer's activity kinds
#             (a move's follow-up is an activity): below sales and service
#   customer  the core, rules, storage: knows nothing of sales, service,
#             marketing or the 360 view that gathers them (src/view)
# Prints each include that breaks a rule and fails.
root="${1:?usage: layers_test.sh ROOT}"
status=0

# check LAYER ALLOWED-REGEX DIR... : every quoted include of DIR's files
# matches ALLOWED-REGEX.
check() {
    layer="$1" allowed="$2"; shift 2
    files=$(find "$@" -type f | wc -l)
    if [ "$files" -lt 3 ]; then
        echo "layers_test: only $files $layer files found under $root" >&2
        status=1; return
    fi
    bad=$(grep -rn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$@" |
          grep -v -E "#[[:space:]]*include[[:space:]]*\"($allowed)")
    if [ -n "$bad" ]; then
        echo "$layer includes what lies above it:" >&2
        echo "$bad" >&2
        status=1
    else
        echo "layers_test: $files $layer files include only what lies beside or under them"
    fi
}

check storage 'crm/core/|crm/storage/|storage/' \
    "$root/src/storage" "$root/include/crm/storage"
check process 'crm/core/|core/|crm/expr/|expr/|crm/storage/|storage/|crm/process/|process/|crm/customer/timeline.hpp"' \
    "$root/src/process" "$root/include/crm/process"
check customer 'crm/core/|core/|crm/expr/|expr/|crm/storage/|storage/|crm/customer/|customer/' \
    "$root/src/customer" "$root/include/crm/customer"
exit $status
