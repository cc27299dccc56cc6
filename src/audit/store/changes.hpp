// audit/store/changes.hpp - the text an audit entry's changes are kept in.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crm/core/audit.hpp"
#include "crm/core/error.hpp"

namespace crm::audit_text {

/// The changes of an audit entry as stored. A creation (every `before` is
/// JSON null and every `after` one JSON value) is kept as one object,
/// {"field": <after>, ...}, its values embedded as they are; any other
/// list as [{"field":..,"before":"<json text>","after":"<json text>"}].
/// Both read back byte for byte.
std::string encode_changes(const std::vector<FieldChange>& changes);
/// Reads either form; storage error naming `what` when the text is not one.
result<std::vector<FieldChange>> decode_changes(std::string_view text, std::string_view what);

/// The length of the one JSON value at the start of `text` (no whitespace
/// around it), or 0 when `text` does not start with a well-formed value.
/// Nesting beyond 128 levels counts as malformed.
std::size_t json_value_length(std::string_view text) noexcept;

}  // namespace crm::audit_text
