#!/bin/sh
# tests/layers_test.sh ROOT - storage sits below every context: a file of
# src/storage or include/crm/storage includes only the core, storage
# itself and system headers (decision 0015). Prints each include that
# breaks the rule and fails.
root="${1:?usage: layers_test.sh ROOT}"
bad=$(grep -rn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' \
        "$root/src/storage" "$root/include/crm/storage" |
      grep -v -E '#[[:space:]]*include[[:space:]]*"(crm/core/|crm/storage/|storage/)')
checked=$(find "$root/src/storage" "$root/include/crm/storage" -type f | wc -l)
if [ "$checked" -lt 5 ]; then
    echo "layers_test: only $checked storage files found under $root" >&2
    exit 1
fi
if [ -n "$bad" ]; then
    echo "storage includes what is not storage or core:" >&2
    echo "$bad" >&2
    exit 1
fi
echo "layers_test: $checked storage files include only core and storage"
