// src/process/codec.hpp - JSON forms of what every record run by a
// process has: its history entries, the moves it may make, and the
// definition itself, for every context's commands.
#pragma once

#include "core/json_read.hpp"
#include "crm/process/process.hpp"

namespace crm::codec {

json to_json(const HistoryEntry& h);
json to_json(const AllowedMove& m);
/// The definition's canonical JSON form as a value.
json to_json(const process::Definition& d);

}  // namespace crm::codec
