// src/process/codec.cpp - JSON forms of what every process-run record has.
#include "process/codec.hpp"

namespace crm::codec {

json to_json(const HistoryEntry& h) {
    json values = json::object();
    if (!h.values.empty()) {
        auto parsed = json::parse(h.values, nullptr, false);
        if (!parsed.is_discarded()) values = std::move(parsed);
    }
    return {{"seq", h.seq},
            {"record_type", h.record_type},
            {"record_id", to_json(h.record_id)},
            {"process", h.process},
            {"process_version", h.process_version},
            {"from", h.from_state},
            {"to", h.to_state},
            {"move", h.move},
            {"at", time_json(h.at)},
            {"actor", h.actor},
            {"reason", h.reason},
            {"values", std::move(values)}};
}

json to_json(const AllowedMove& m) {
    return {{"name", m.name},
            {"to", m.to},
            {"to_label", m.to_label},
            {"close_record", m.close_record},
            {"reopen", m.reopen},
            {"required_fields", json(m.required_fields)}};
}

json to_json(const process::Definition& d) { return json::parse(d.to_json()); }

}  // namespace crm::codec
