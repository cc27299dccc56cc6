// src/customer/party_text.hpp - the JSON text of a party, written field by
// field without building a JSON tree: the one definition of a party's JSON
// form (codec::to_json parses it), fast enough for the bulk-import path,
// and the unit the audit trail compares.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crm/core/audit.hpp"
#include "crm/customer/party.hpp"

namespace crm::codec {

/// A record as (field name, JSON text of its value) pairs, in output order.
using FieldTexts = std::vector<std::pair<const char*, std::string>>;

FieldTexts party_fields(const Party& p);
std::string contact_text(const ContactPoint& c);

/// "{"name":value,...}" of the pairs.
std::string object_text(const FieldTexts& fields);

/// Fields that change with every write or are derived (updated_at,
/// version, when a stage or state was entered, SLA clocks, due_at): an
/// audit entry does not list them.
bool bookkeeping(std::string_view key);

/// The fields whose text differs; a field absent before counts as null,
/// and one absent before with an empty value ("", [], {}) is not listed;
/// bookkeeping fields are left out.
std::vector<FieldChange> diff(const FieldTexts& before, const FieldTexts& after);

}  // namespace crm::codec
