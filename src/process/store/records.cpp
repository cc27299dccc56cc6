// process/store/records.cpp - the process context's repository: stored
// definitions (processes, calendars, policies), versioned, and the history
// of every record that runs on a process.
#include "process/store/records.hpp"

#include <map>

namespace crm {

using namespace storage;

// The latest definition versions, remembered between transactions: every
// ticket created reads those of its process, SLA policies and rules.
struct DefinitionVersions {
    std::map<std::string, std::vector<std::pair<std::string, int>>, std::less<>> versions_of_kind;
    std::map<std::pair<std::string, std::string>, int, std::less<>> version_of;
};

DefinitionVersions& ProcessRecords::versions() { return s_.cache<DefinitionVersions>(); }

namespace {

#define CRM_HISTORY_COLS                                                                  \
    "seq, record_type, record_id, process, process_version, from_state, to_state, move, at, " \
    "actor, reason, values_json, duration_ms"

result<HistoryEntry> read_history(Stmt& s) {
    HistoryEntry h;
    h.seq = s.i64(0);
    h.record_type = s.str(1);
    CRM_TRY(rid, s.id(2));
    h.record_id = rid;
    h.process = s.str(3);
    h.process_version = static_cast<int>(s.i64(4));
    h.from_state = s.str(5);
    h.to_state = s.str(6);
    h.move = s.str(7);
    h.at = Timestamp{s.i64(8)};
    h.actor = s.str(9);
    h.reason = s.str(10);
    h.values = s.str(11);
    h.duration_ms = s.i64(12);
    return h;
}

result<StoredDefinition> read_definition(Stmt& s) {
    return StoredDefinition{s.str(0), s.str(1), static_cast<int>(s.i64(2)), s.str(3),
                            Timestamp{s.i64(4)}, s.str(5)};
}


}  // namespace

result<void> ProcessRecords::put_definition(const StoredDefinition& d) {
    return run<void>("put_definition", [&]() -> result<void> {
        s_.forget_cache();
        CRM_TRY(st, c_.stmt("INSERT INTO definition (kind, id, version, body, created_at, "
                            "actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
        st.bind(1, d.kind);
        st.bind(2, d.id);
        st.bind(3, d.version);
        st.bind(4, d.body);
        st.bind(5, d.created_at.ms);
        st.bind(6, d.actor);
        auto r = st.exec();
        // The key (kind, id, version) is the only constraint a row can break.
        if (!r && r.error().code == errc::conflict)
            return fail(errc::conflict,
                        d.kind + " '" + d.id + "' version " + std::to_string(d.version) +
                            " exists",
                        "version");
        return r;
    });
}

result<std::optional<StoredDefinition>> ProcessRecords::get_definition(std::string_view kind,
                                                       std::string_view id,
                                                       int version) {
    return run<std::optional<StoredDefinition>>(
        "get_definition", [&]() -> result<std::optional<StoredDefinition>> {
            CRM_TRY(st, c_.stmt("SELECT kind, id, version, body, created_at, actor "
                                "FROM definition WHERE kind = ?1 AND id = ?2 "
                                "AND (?3 = 0 OR version = ?3) ORDER BY version DESC LIMIT 1"));
            st.bind(1, kind);
            st.bind(2, id);
            st.bind(3, version);
            CRM_TRY(rows, collect<StoredDefinition>(st, read_definition));
            if (rows.empty()) return std::optional<StoredDefinition>{};
            return std::optional<StoredDefinition>{std::move(rows.front())};
        });
}

result<std::vector<StoredDefinition>> ProcessRecords::definitions(std::string_view kind) {
    return run<std::vector<StoredDefinition>>(
        "definitions", [&]() -> result<std::vector<StoredDefinition>> {
            CRM_TRY(st, c_.stmt("SELECT kind, id, max(version), body, created_at, actor "
                                "FROM definition WHERE kind = ?1 GROUP BY id ORDER BY id"));
            st.bind(1, kind);
            return collect<StoredDefinition>(st, read_definition);
        });
}

result<int> ProcessRecords::definition_version(std::string_view kind, std::string_view id) {
    return run<int>("definition_version", [&]() -> result<int> {
        auto key = std::make_pair(std::string(kind), std::string(id));
        if (auto it = versions().version_of.find(key); it != versions().version_of.end())
            return it->second;
        CRM_TRY(st, c_.stmt("SELECT max(version) FROM definition WHERE kind = ?1 AND id = ?2"));
        st.bind(1, kind);
        st.bind(2, id);
        CRM_TRY(row, st.step());
        const int version = row ? static_cast<int>(st.i64(0)) : 0;
        versions().version_of.emplace(std::move(key), version);
        return version;
    });
}

result<std::vector<std::pair<std::string, int>>> ProcessRecords::definition_versions(
    std::string_view kind) {
    using Out = std::vector<std::pair<std::string, int>>;
    return run<Out>("definition_versions", [&]() -> result<Out> {
        if (auto it = versions().versions_of_kind.find(kind); it != versions().versions_of_kind.end())
            return it->second;
        CRM_TRY(st, c_.stmt("SELECT id, max(version) FROM definition WHERE kind = ?1 "
                            "GROUP BY id ORDER BY id"));
        st.bind(1, kind);
        Out out;
        for (;;) {
            CRM_TRY(row, st.step());
            if (!row) break;
            out.emplace_back(st.str(0), static_cast<int>(st.i64(1)));
        }
        versions().versions_of_kind.emplace(std::string(kind), out);
        return out;
    });
}

result<void> ProcessRecords::for_each_history(std::string_view record_type, Timestamp from, Timestamp to,
                              const std::function<bool(const HistoryEntry&)>& fn) {
    return run<void>("for_each_history", [&]() -> result<void> {
        CRM_TRY(st, c_.stmt("SELECT " CRM_HISTORY_COLS " FROM history WHERE record_type = ?1 "
                            "AND at >= ?2 AND at < ?3 ORDER BY at, seq"));
        st.bind(1, record_type);
        st.bind(2, from.ms);
        st.bind(3, to.ms);
        for (;;) {
            CRM_TRY(row, st.step());
            if (!row) break;
            CRM_TRY(h, read_history(st));
            if (!fn(h)) break;
        }
        return ok();
    });
}

result<void> ProcessRecords::for_each_stage_change(
    std::string_view record_type, std::string_view process,
    const std::function<bool(const StageRow&)>& fn) {
    return run<void>("for_each_stage_change", [&]() -> result<void> {
        CRM_TRY(st, c_.stmt("SELECT record_id, from_state, to_state, at, duration_ms FROM history "
                            "WHERE record_type = ?1 AND process = ?2 AND from_state <> to_state "
                            "ORDER BY record_id, seq"));
        st.bind(1, record_type);
        st.bind(2, process);
        for (;;) {
            CRM_TRY(row, st.step());
            if (!row) break;
            if (!fn(StageRow{st.text(0), st.text(1), st.text(2), Timestamp{st.i64(3)}, st.i64(4)}))
                break;
        }
        return ok();
    });
}

result<void> ProcessRecords::append_history(HistoryEntry& e) {
    return run<void>("append_history", [&]() -> result<void> {
        IdText rid(e.record_id);
        CRM_TRY(st, c_.stmt("INSERT INTO history (record_type, record_id, process, "
                            "process_version, from_state, to_state, move, at, actor, reason, "
                            "values_json, duration_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                            "?9, ?10, ?11, ?12)"));
        st.bind(1, e.record_type);
        st.bind(2, rid);
        st.bind(3, e.process);
        st.bind(4, e.process_version);
        st.bind(5, e.from_state);
        st.bind(6, e.to_state);
        st.bind(7, e.move);
        st.bind(8, e.at.ms);
        st.bind(9, e.actor);
        st.bind(10, e.reason);
        st.bind(11, e.values.empty() ? std::string_view("{}") : std::string_view(e.values));
        st.bind(12, e.duration_ms);
        CRM_TRY(seq, st.exec_insert());
        e.seq = seq;
        if (e.from_state.empty() || e.from_state == e.to_state) return ok();
        // A failure here is the connection's (I/O), fatal to the
        // transaction, so the two writes need no savepoint of their own.
        CRM_TRY(sum, c_.stmt("INSERT INTO stage_time (record_type, bucket, process, stage, "
                             "moves, total_ms) VALUES (?1, ?2, ?3, ?4, 1, ?5) "
                             "ON CONFLICT DO UPDATE SET moves = moves + 1, "
                             "total_ms = total_ms + excluded.total_ms"));
        sum.bind(1, e.record_type);
        sum.bind(2, e.at.ms / kStageBucketMs);
        sum.bind(3, e.process);
        sum.bind(4, e.from_state);
        sum.bind(5, e.duration_ms);
        return sum.exec();
    });
}

result<std::vector<HistoryEntry>> ProcessRecords::history_of(std::string_view record_type,
                                             const Id& id) {
    return run<std::vector<HistoryEntry>>(
        "history_of", [&]() -> result<std::vector<HistoryEntry>> {
            IdText rid(id);
            CRM_TRY(st, c_.stmt("SELECT " CRM_HISTORY_COLS " FROM history WHERE record_id = ?1 "
                                "AND record_type = ?2 ORDER BY seq"));
            st.bind(1, rid);
            st.bind(2, record_type);
            return collect<HistoryEntry>(st, read_history);
        });
}

result<std::vector<HistoryEntry>> ProcessRecords::history_as_of(std::string_view record_type,
                                                std::string_view process,
                                                Timestamp at) {
    return run<std::vector<HistoryEntry>>(
        "history_as_of", [&]() -> result<std::vector<HistoryEntry>> {
            // The latest entry of each record at or before `at`, then only
            // those on the process.
            CRM_TRY(st, c_.stmt("SELECT " CRM_HISTORY_COLS " FROM history WHERE seq IN "
                                "(SELECT max(seq) FROM history WHERE record_type = ?1 "
                                "AND at <= ?3 GROUP BY record_id) AND process = ?2 "
                                "ORDER BY record_id"));
            st.bind(1, record_type);
            st.bind(2, process);
            st.bind(3, at.ms);
            return collect<HistoryEntry>(st, read_history);
        });
}

}  // namespace crm
