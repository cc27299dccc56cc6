// process/store/records.hpp - the process context's repository: stored
// definitions (processes, calendars, policies), versioned, and the history
// of every record that runs on a process.
// Its SQL is written here once, over a storage session.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crm/process/process.hpp"
#include "storage/session.hpp"

namespace crm {

/// A stored definition: a process definition ("process") or a business
/// calendar ("calendar"), one row per version.
struct StoredDefinition {
    std::string kind;
    std::string id;
    int version = 1;
    std::string body;  ///< the canonical JSON form
    Timestamp created_at;
    std::string actor;
};

/// stage_time's bucket: a quarter hour.
constexpr std::int64_t kStageBucketMs = 900'000;

class ProcessRecords : public storage::Repository {
public:
    explicit ProcessRecords(storage::Session& s) : Repository(s) {}

    result<void> put_definition(const StoredDefinition& d);
    /// `version` 0: the latest.
    result<std::optional<StoredDefinition>> get_definition(std::string_view kind,
                                                           std::string_view id,
                                                           int version);
    /// The latest version of every id of `kind`, by id.
    result<std::vector<StoredDefinition>> definitions(std::string_view kind);
    /// The latest version of (kind, id); 0 when none is stored.
    result<int> definition_version(std::string_view kind, std::string_view id);
    /// The latest version of every id of `kind`, by id, without bodies.
    result<std::vector<std::pair<std::string, int>>> definition_versions(
std::string_view kind);
    /// Calls `fn` for every history entry of `record_type` written in
    /// [from, to), oldest first; stops early when fn returns false.
    result<void> for_each_history(std::string_view record_type, Timestamp from, Timestamp to,
                                  const std::function<bool(const HistoryEntry&)>& fn);
    /// One stage change of a record (from "" when it was created).
    struct StageRow {
        std::string_view record_id, from_state, to_state;
        Timestamp at;
        std::int64_t duration_ms;  ///< time spent in from_state
    };
    /// Calls `fn` for every stage change of the records of `record_type`
    /// on `process` (every version), in (record, seq) order, from an index
    /// alone; stops when fn returns false.
    result<void> for_each_stage_change(std::string_view record_type, std::string_view process,
                                       const std::function<bool(const StageRow&)>& fn);
    result<void> append_history(HistoryEntry& entry);
    /// Oldest first.
    result<std::vector<HistoryEntry>> history_of(std::string_view record_type,
                                                 const Id& id);
    /// The latest history entry at or before `at` of every record of
    /// `record_type` on process `process`, in record id order.
    result<std::vector<HistoryEntry>> history_as_of(std::string_view record_type,
                                                    std::string_view process,
                                                    Timestamp at);

private:
    struct DefinitionVersions& versions();
};

}  // namespace crm
