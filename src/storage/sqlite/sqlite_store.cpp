// storage/sqlite/sqlite_store.cpp - crm::storage::Store on SQLite: opening
// (pragmas, migrations), transactions and savepoints, and every repository.
//
// Concurrency: a Store owns one connection. A transaction holds it
// exclusively from begin() to commit/rollback (BEGIN IMMEDIATE: one writer),
// so transactions of one Store run one after another; begin() waits up to
// busy_timeout_ms for the running one. Other processes are kept out by
// SQLite's own locks (WAL: readers never block the writer).
#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "crm/core/text.hpp"
#include "crm/storage/store.hpp"
#include "expr/sqlite.hpp"
#include "marketing/codec.hpp"
#include "marketing/profile.hpp"
#include "sales/codec.hpp"
#include "service/codec.hpp"
#include "storage/sqlite/codec.hpp"
#include "storage/sqlite/db.hpp"
#include "storage/sqlite/migrations.hpp"
#include "storage/timeline_cursor.hpp"

namespace crm::storage {

int sqlite_schema_version() noexcept { return sqlite::migrations().back().version; }

namespace sqlite {
namespace {

// 'CRMC': written by migration 1, so that a SQLite file of some other
// application is refused instead of having tables added to it.
constexpr std::int64_t kApplicationId = 1129466179;

// The memory map of a file, and none: see open() and bulk_load().
constexpr const char* kMmapOn = "PRAGMA mmap_size = 1073741824";
constexpr const char* kMmapOff = "PRAGMA mmap_size = 0";

// ---- column lists shared by the statements that read them -----------------

#define CRM_PARTY_COLS                                                                       \
    "id, kind, external_id, first_name, last_name, organization_name, national_id, "         \
    "lifecycle_stage, owner, city, country, tags, custom, created_at, updated_at, version, " \
    "merged_into, contacts"
#define CRM_INTERACTION_COLS                                                                 \
    "id, party_id, channel, direction, at, subject, summary, actor, duration_s, outcome, " \
    "external_id"
#define CRM_ACTIVITY_COLS \
    "id, party_id, kind, subject, note, due_at, assignee, status, created_at, closed_at"
#define CRM_PURCHASE_COLS "id, party_id, order_id, ordered_at, total_minor, currency, lines"
#define CRM_FIELD_COLS \
    "record_type, name, label, type, required, allowed, min_value, max_value, currency"
#define CRM_AUDIT_COLS "seq, at, actor, source, record_type, record_id, action, changes"
#define CRM_EVENT_COLS "seq, at, type, record_type, record_id, payload"

// An enum read back from the file that this build does not know: the file
// is damaged (or was edited by hand), which is a storage failure.
template <class E>
result<E> stored_enum(result<E> r, std::string_view what) {
    if (r) return r.value();
    return fail(errc::storage, "sqlite: unknown " + std::string(what) + " in the database: " +
                                   r.error().message);
}

result<void> check_limit(int limit, int max = 1000000) {
    if (limit < 0 || limit > max)
        return fail(errc::invalid_argument,
                    "limit must be between 0 and " + std::to_string(max), "limit");
    return ok();
}

result<void> check_offset(int offset) {
    if (offset < 0) return fail(errc::invalid_argument, "offset must not be negative", "offset");
    return ok();
}

// The smallest string greater than every string starting with `prefix`
// (byte order, which is SQLite's BINARY collation): the upper bound of a
// prefix range scan. UTF-8 never contains 0xFF, so "\xFF" bounds all text.
std::string prefix_upper_bound(std::string_view prefix) {
    std::string s(prefix);
    while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xFF) s.pop_back();
    if (s.empty()) return "\xFF";
    s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
    return s;
}

// ---- row readers ---------------------------------------------------------

// The columns both party column lists begin with: id, kind, external_id
// and the three names.
result<void> read_party_head(const Stmt& s, Party& p) {
    CRM_TRY(id, s.id(0));
    p.id = id;
    CRM_TRY(kind, stored_enum(parse_party_kind(s.text(1)), "party kind"));
    p.kind = kind;
    p.external_id = s.str(2);
    p.first_name = s.str(3);
    p.last_name = s.str(4);
    p.organization_name = s.str(5);
    return ok();
}

result<Party> read_party(const Stmt& s) {
    Party p;
    CRM_TRYV(read_party_head(s, p));
    p.national_id = s.str(6);
    p.lifecycle_stage = s.str(7);
    p.owner = s.str(8);
    p.city = s.str(9);
    p.country = s.str(10);
    CRM_TRY(tags, decode_strings(s.text(11), "party.tags"));
    p.tags = std::move(tags);
    CRM_TRY(custom, decode_custom(s.text(12), "party.custom"));
    p.custom = std::move(custom);
    p.created_at = Timestamp{s.i64(13)};
    p.updated_at = Timestamp{s.i64(14)};
    p.version = s.i64(15);
    CRM_TRY(merged, s.id_or_nil(16));
    p.merged_into = merged;
    CRM_TRY(contacts, decode_contacts(s.text(17), "party.contacts"));
    p.contacts = std::move(contacts);
    return p;
}

// A row of CRM_BRIEF_COLS: a party without its contact points or custom values.
#define CRM_BRIEF_COLS \
    "id, kind, external_id, first_name, last_name, organization_name, city, tags, merged_into"
result<PartyBrief> read_brief(const Stmt& s) {
    Party p;
    CRM_TRYV(read_party_head(s, p));
    p.city = s.str(6);
    CRM_TRY(tags, decode_strings(s.text(7), "party.tags"));
    p.tags = std::move(tags);
    CRM_TRY(merged, s.id_or_nil(8));
    p.merged_into = merged;
    return PartyBrief::of(p);
}

result<Interaction> read_interaction(const Stmt& s) {
    Interaction i;
    CRM_TRY(id, s.id(0));
    i.id = id;
    CRM_TRY(party, s.id(1));
    i.party = party;
    CRM_TRY(channel, stored_enum(parse_channel(s.text(2)), "channel"));
    i.channel = channel;
    CRM_TRY(direction, stored_enum(parse_direction(s.text(3)), "direction"));
    i.direction = direction;
    i.at = Timestamp{s.i64(4)};
    i.subject = s.str(5);
    i.summary = s.str(6);
    i.actor = s.str(7);
    if (!s.is_null(8)) i.duration_s = s.i64(8);
    i.outcome = s.str(9);
    i.external_id = s.str(10);
    return i;
}

result<Activity> read_activity(const Stmt& s) {
    Activity a;
    CRM_TRY(id, s.id(0));
    a.id = id;
    CRM_TRY(party, s.id(1));
    a.party = party;
    CRM_TRY(kind, stored_enum(parse_activity_kind(s.text(2)), "activity kind"));
    a.kind = kind;
    a.subject = s.str(3);
    a.note = s.str(4);
    a.due = Timestamp{s.i64(5)};
    a.assignee = s.str(6);
    CRM_TRY(status, stored_enum(parse_activity_status(s.text(7)), "activity status"));
    a.status = status;
    a.created_at = Timestamp{s.i64(8)};
    if (!s.is_null(9)) a.closed_at = Timestamp{s.i64(9)};
    return a;
}

result<Purchase> read_purchase(const Stmt& s) {
    Purchase p;
    CRM_TRY(id, s.id(0));
    p.id = id;
    CRM_TRY(party, s.id(1));
    p.party = party;
    p.order_id = s.str(2);
    p.ordered_at = Timestamp{s.i64(3)};
    p.total = Money{s.i64(4), s.str(5)};
    CRM_TRY(lines, decode_lines(s.text(6), "purchase.lines"));
    p.lines = std::move(lines);
    return p;
}

result<FieldDef> read_field(const Stmt& s) {
    FieldDef d;
    d.record_type = s.str(0);
    d.name = s.str(1);
    d.label = s.str(2);
    CRM_TRY(type, stored_enum(parse_field_type(s.text(3)), "field type"));
    d.type = type;
    d.required = s.i64(4) != 0;
    CRM_TRY(allowed, decode_strings(s.text(5), "field_def.allowed"));
    d.allowed = std::move(allowed);
    if (!s.is_null(6)) d.min = s.i64(6);
    if (!s.is_null(7)) d.max = s.i64(7);
    d.currency = s.str(8);
    return d;
}

result<AuditEntry> read_audit(const Stmt& s) {
    AuditEntry e;
    e.seq = s.i64(0);
    e.at = Timestamp{s.i64(1)};
    e.actor = s.str(2);
    e.source = s.str(3);
    e.record_type = s.str(4);
    CRM_TRY(id, s.id(5));
    e.record_id = id;
    e.action = s.str(6);
    CRM_TRY(changes, decode_changes(s.text(7), "audit.changes"));
    e.changes = std::move(changes);
    return e;
}

result<Event> read_event(const Stmt& s) {
    Event e;
    e.seq = s.i64(0);
    e.at = Timestamp{s.i64(1)};
    e.type = s.str(2);
    e.record_type = s.str(3);
    CRM_TRY(id, s.id(4));
    e.record_id = id;
    e.payload = s.str(5);
    return e;
}

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

// Opportunities, leads, quotes, products, tickets and comments are read back from their body
// (column 0).
template <class T>
result<T> read_body(Stmt& s) {
    auto doc = codec::json::parse(s.text(0), nullptr, false);
    if (doc.is_discarded()) return fail(errc::storage, "sqlite: a record body is not JSON");
    if constexpr (std::is_same_v<T, Lead>) return codec::lead_from_json(doc);
    else if constexpr (std::is_same_v<T, Quote>) return codec::quote_from_json(doc);
    else if constexpr (std::is_same_v<T, Product>) return codec::product_from_json(doc, "", true);
    else if constexpr (std::is_same_v<T, Ticket>) return codec::ticket_from_json(doc);
    else if constexpr (std::is_same_v<T, TicketComment>) return codec::comment_from_json(doc);
    else return codec::opportunity_from_json(doc);
}

// Savepoint statements by depth, from static text so the connection's
// statement cache (keyed by the text's address) keeps them prepared: a
// savepoint per call is the cost of every write inside an open transaction.
constexpr int kSavepointTexts = 8;
const char* const kSavepoint[kSavepointTexts] = {"SAVEPOINT sp_1", "SAVEPOINT sp_2",
                                                 "SAVEPOINT sp_3", "SAVEPOINT sp_4",
                                                 "SAVEPOINT sp_5", "SAVEPOINT sp_6",
                                                 "SAVEPOINT sp_7", "SAVEPOINT sp_8"};
const char* const kRelease[kSavepointTexts] = {"RELEASE sp_1", "RELEASE sp_2", "RELEASE sp_3",
                                               "RELEASE sp_4", "RELEASE sp_5", "RELEASE sp_6",
                                               "RELEASE sp_7", "RELEASE sp_8"};

result<NpsResponse> read_nps(Stmt& s) {
    NpsResponse r;
    CRM_TRY(id, s.id(0));
    r.id = id;
    CRM_TRY(party, s.id(1));
    r.party = party;
    r.score = static_cast<int>(s.i64(2));
    r.comment = s.str(3);
    r.at = Timestamp{s.i64(4)};
    return r;
}

// stage_time's bucket: a quarter hour.
constexpr std::int64_t kStageBucketMs = 900'000;

// Collects the first-column ids of every row.
result<std::vector<Id>> collect_ids(Stmt& s) {
    std::vector<Id> out;
    for (;;) {
        CRM_TRY(row, s.step());
        if (!row) break;
        CRM_TRY(id, s.id(0));
        out.push_back(id);
    }
    return out;
}

template <class T, class Reader>
result<std::vector<T>> collect(Stmt& s, Reader read) {
    std::vector<T> out;
    for (;;) {
        CRM_TRY(row, s.step());
        if (!row) break;
        CRM_TRY(item, read(s));
        out.push_back(std::move(item));
    }
    return out;
}

// ---- the store -----------------------------------------------------------

#define CRM_PROFILE_COLS                                                                     \
    "party_id, kind, lifecycle_stage, owner, city, country, tags, created_at, consent_email, " \
    "consent_sms, consent_call, consent_whatsapp, organizations, p_count, p_sum, p_first, "    \
    "p_last, c30, c90, c180, c365, s30, s90, s180, s365, rfm_r, rfm_f, rfm_m, i_call, "        \
    "i_email, i_sms, i_meeting, i_chat, i_social, i_portal, i_visit, i_other, t_all, t_open, " \
    "t_complaints, m_sent, m_opened, m_clicked, m_responded, m_converted, as_of, expires_at, "  \
    "custom"
constexpr int kProfileCols = 48;

std::optional<Timestamp> opt_time(const Stmt& s, int col) {
    if (s.is_null(col)) return std::nullopt;
    return Timestamp{s.i64(col)};
}

result<PartyProfile> read_profile(const Stmt& s) {
    PartyProfile p;
    CRM_TRY(id, s.id(0));
    p.party = id;
    CRM_TRY(kind, stored_enum(parse_party_kind(s.text(1)), "party kind"));
    p.kind = kind;
    p.lifecycle_stage = s.str(2);
    p.owner = s.str(3);
    p.city = s.str(4);
    p.country = s.str(5);
    CRM_TRY(tags, decode_strings(s.text(6), "party_profile.tags"));
    p.tags = std::move(tags);
    p.created_at = Timestamp{s.i64(7)};
    p.consent_email = s.i64(8) != 0;
    p.consent_sms = s.i64(9) != 0;
    p.consent_call = s.i64(10) != 0;
    p.consent_whatsapp = s.i64(11) != 0;
    CRM_TRY(orgs, decode_strings(s.text(12), "party_profile.organizations"));
    p.organizations = std::move(orgs);
    p.purchase_count = s.i64(13);
    p.purchase_sum = s.i64(14);
    p.first_purchase = opt_time(s, 15);
    p.last_purchase = opt_time(s, 16);
    for (std::size_t w = 0; w < kPurchaseWindows.size(); ++w) {
        p.window_count[w] = s.i64(17 + static_cast<int>(w));
        p.window_sum[w] = s.i64(21 + static_cast<int>(w));
    }
    p.rfm_recency = static_cast<int>(s.i64(25));
    p.rfm_frequency = static_cast<int>(s.i64(26));
    p.rfm_monetary = static_cast<int>(s.i64(27));
    for (int c = 0; c < kChannelCount; ++c) p.last_interaction[static_cast<std::size_t>(c)] = opt_time(s, 28 + c);
    p.tickets = s.i64(37);
    p.open_tickets = s.i64(38);
    p.complaints = s.i64(39);
    p.campaigns_sent = s.i64(40);
    p.campaigns_opened = s.i64(41);
    p.campaigns_clicked = s.i64(42);
    p.campaigns_responded = s.i64(43);
    p.campaigns_converted = s.i64(44);
    p.as_of = Timestamp{s.i64(45)};
    p.expires_at = opt_time(s, 46);
    CRM_TRY(custom, decode_custom(s.text(47), "party_profile.custom"));
    p.custom = std::move(custom);
    return p;
}

result<SegmentMembership> read_stay(const Stmt& s) {
    SegmentMembership m;
    m.segment = s.str(0);
    CRM_TRY(id, s.id(1));
    m.party = id;
    m.joined_at = Timestamp{s.i64(2)};
    m.left_at = opt_time(s, 3);
    return m;
}

result<SuppressionEntry> read_suppression(const Stmt& s) {
    SuppressionEntry e;
    CRM_TRY(kind, stored_enum(parse_suppression_kind(s.text(0)), "suppression kind"));
    e.kind = kind;
    e.value = s.str(1);
    e.reason = s.str(2);
    e.added_at = Timestamp{s.i64(3)};
    return e;
}

// crm_sample_key(id, seed): crm::sample_key, the order segment samples take.
void sample_key_fn(sqlite3_context* ctx, int, sqlite3_value** argv) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    const int n = sqlite3_value_bytes(argv[0]);
    const auto seed = static_cast<std::uint64_t>(sqlite3_value_int64(argv[1]));
    sqlite3_result_int64(ctx, sample_key(std::string_view(text ? text : "", static_cast<std::size_t>(n)), seed));
}

result<void> register_sample_key(sqlite3* db) {
    const int rc = sqlite3_create_function_v2(db, "crm_sample_key", 2,
                                              SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                              nullptr, sample_key_fn, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        return fail(errc::storage, std::string("sqlite: registering crm_sample_key: ") + sqlite3_errstr(rc));
    return ok();
}

#define CRM_LEDGER_COLS \
    "seq, program, party_id, kind, points, at, key, order_id, amount_minor, reason, expires_at, remaining"

result<LedgerEntry> read_ledger(const Stmt& s) {
    LedgerEntry e;
    e.seq = s.i64(0);
    e.program = s.str(1);
    CRM_TRY(id, s.id(2));
    e.party = id;
    CRM_TRY(kind, stored_enum(parse_ledger_kind(s.text(3)), "ledger kind"));
    e.kind = kind;
    e.points = s.i64(4);
    e.at = Timestamp{s.i64(5)};
    e.key = s.str(6);
    e.order_id = s.str(7);
    e.amount_minor = s.i64(8);
    e.reason = s.str(9);
    e.expires_at = opt_time(s, 10);
    e.remaining = s.i64(11);
    return e;
}

result<LoyaltyAccount> read_account(const Stmt& s) {
    LoyaltyAccount a;
    a.program = s.str(0);
    CRM_TRY(id, s.id(1));
    a.party = id;
    a.tier = s.str(2);
    a.tier_since = Timestamp{s.i64(3)};
    a.enrolled_at = Timestamp{s.i64(4)};
    return a;
}

#define CRM_MEMBER_COLS                                                                      \
    "campaign, party_id, variant, channel, address, s_sent, s_delivered, s_opened, s_clicked, " \
    "s_responded, s_converted, s_bounced, s_unsubscribed, batch, dispatched_at"

result<CampaignMember> read_member(const Stmt& s) {
    CampaignMember m;
    CRM_TRY(campaign, s.id(0));
    m.campaign = campaign;
    CRM_TRY(party, s.id(1));
    m.party = party;
    m.variant = s.str(2);
    m.channel = s.str(3);
    m.address = s.str(4);
    for (int i = 0; i < kMemberStatusCount; ++i) m.at[static_cast<std::size_t>(i)] = opt_time(s, 5 + i);
    m.batch = s.i64(13);
    m.dispatched_at = opt_time(s, 14);
    return m;
}

result<Campaign> read_campaign(const Stmt& s) {
    CRM_TRY(doc, codec::parse(s.text(0), "campaign.body"));
    auto c = marketing::campaign_from_stored(doc);
    if (!c) return fail(errc::storage, "sqlite: a stored campaign is damaged: " + c.error().message);
    return std::move(c).value();
}

// What a Store and its transactions share. The connection is reached only
// by the holder of the writer slot (`busy`); a flag and a condition
// variable, rather than a mutex held by the transaction, because a
// transaction may be finished on another thread than the one that began it.
struct Shared {
    Connection conn;
    bool read_only = false;
    int busy_timeout_ms = 5000;
    std::mutex m;
    std::condition_variable cv;
    bool busy = false;
    // The latest definition versions, remembered between transactions (every
    // ticket created reads those of its process, SLA policies and rules).
    // Valid while PRAGMA data_version stays the same (no other connection
    // committed) and this connection neither stores a definition nor rolls
    // anything back; read and written only by the holder of the writer slot.
    std::int64_t data_version = -1;
    std::map<std::string, std::vector<std::pair<std::string, int>>, std::less<>> versions_of_kind;
    std::map<std::pair<std::string, std::string>, int, std::less<>> version_of;

    void forget_versions() {
        versions_of_kind.clear();
        version_of.clear();
    }

    void release() {
        {
            std::lock_guard lk(m);
            busy = false;
        }
        cv.notify_one();
    }
};

class SqliteTransaction final : public Transaction {
public:
    explicit SqliteTransaction(std::shared_ptr<Shared> shared)
        : shared_(std::move(shared)), c_(shared_->conn) {}

    ~SqliteTransaction() override {
        if (!done_) {
            shared_->forget_versions();
            if (!sqlite3_get_autocommit(c_.handle())) {
                if (auto st = c_.stmt("ROLLBACK")) (void)st.value().exec();
            }
            finish();
        }
    }

    // A reader (or a read-only connection, which cannot take the write
    // lock) begins deferred: its first read takes a consistent snapshot.
    result<void> start(bool reader) {
        {
            CRM_TRY(st, c_.stmt(reader ? "BEGIN" : "BEGIN IMMEDIATE"));
            CRM_TRYV(st.exec());
        }
        CRM_TRY(st, c_.stmt("PRAGMA data_version"));
        CRM_TRY(row, st.step());
        const std::int64_t version = row ? st.i64(0) : -1;
        if (version != shared_->data_version || version < 0) {
            shared_->forget_versions();
            shared_->data_version = version;
        }
        return ok();
    }

    result<void> commit() override {
        if (done_) return ended();
        try {
            // Savepoints still open are committed with the rest, as SQLite does.
            CRM_TRY(st, c_.stmt("COMMIT"));
            auto r = st.exec();
            if (!r) {
                shared_->forget_versions();
                return lost(std::move(r));
            }
            finish();
            return ok();
        } catch (...) {
            return exception("commit");
        }
    }

    // Savepoints are named by depth (sp_1, sp_2, ...) so the few distinct
    // texts stay prepared in the connection's cache.
    result<void> savepoint() override {
        return run<void>("savepoint", [&]() -> result<void> {
            if (depth_ < kSavepointTexts) {
                CRM_TRY(st, c_.stmt(kSavepoint[depth_]));
                CRM_TRYV(st.exec());
            } else {
                CRM_TRY(st, c_.stmt_dynamic("SAVEPOINT sp_" + std::to_string(depth_ + 1)));
                CRM_TRYV(st.exec());
            }
            ++depth_;
            return ok();
        });
    }

    result<void> release_savepoint() override {
        return run<void>("release savepoint", [&]() -> result<void> {
            if (depth_ == 0) return fail(errc::internal, "no savepoint to release");
            if (depth_ <= kSavepointTexts) {
                CRM_TRY(st, c_.stmt(kRelease[depth_ - 1]));
                CRM_TRYV(st.exec());
            } else {
                CRM_TRY(st, c_.stmt_dynamic("RELEASE sp_" + std::to_string(depth_)));
                CRM_TRYV(st.exec());
            }
            --depth_;
            return ok();
        });
    }

    result<void> rollback_to_savepoint() override {
        return run<void>("rollback to savepoint", [&]() -> result<void> {
            if (depth_ == 0) return fail(errc::internal, "no savepoint to roll back to");
            shared_->forget_versions();
            // ROLLBACK TO keeps the savepoint on SQLite's stack; RELEASE pops
            // it, so the caller's stack and SQLite's stay in step.
            {
                CRM_TRY(st, c_.stmt_dynamic("ROLLBACK TO sp_" + std::to_string(depth_)));
                CRM_TRYV(st.exec());
            }
            if (depth_ <= kSavepointTexts) {
                CRM_TRY(st, c_.stmt(kRelease[depth_ - 1]));
                CRM_TRYV(st.exec());
            } else {
                CRM_TRY(st, c_.stmt_dynamic("RELEASE sp_" + std::to_string(depth_)));
                CRM_TRYV(st.exec());
            }
            --depth_;
            return ok();
        });
    }

    // ---- parties ---------------------------------------------------------

    result<std::optional<Party>> get_party(const Id& id) override {
        return run<std::optional<Party>>("get_party", [&]() -> result<std::optional<Party>> {
            IdText pid(id);
            CRM_TRY(st, c_.stmt("SELECT " CRM_PARTY_COLS " FROM party WHERE id = ?1"));
            st.bind(1, pid);
            CRM_TRY(row, st.step());
            if (!row) return std::optional<Party>{};
            CRM_TRY(p, read_party(st));
            return std::optional<Party>(std::move(p));
        });
    }

    result<std::optional<PartyBrief>> get_party_brief(const Id& id) override {
        return run<std::optional<PartyBrief>>(
            "get_party_brief", [&]() -> result<std::optional<PartyBrief>> {
                IdText pid(id);
                CRM_TRY(st, c_.stmt("SELECT " CRM_BRIEF_COLS " FROM party WHERE id = ?1"));
                st.bind(1, pid);
                CRM_TRY(row, st.step());
                if (!row) return std::optional<PartyBrief>{};
                CRM_TRY(b, read_brief(st));
                return std::optional<PartyBrief>(std::move(b));
            });
    }

    result<Id> party_by_external_id(std::string_view external_id) override {
        return run<Id>("party_by_external_id", [&]() -> result<Id> {
            if (external_id.empty()) return Id{};
            CRM_TRY(st, c_.stmt("SELECT id FROM party WHERE external_id = ?1"));
            st.bind(1, external_id);
            CRM_TRY(row, st.step());
            if (!row) return Id{};
            return st.id(0);
        });
    }

    result<void> put_party(const Party& p, std::string_view name_key) override {
        return run<void>("put_party",
                         [&]() -> result<void> { return put_party_impl(p, name_key); });
    }

    result<std::vector<Id>> parties_by_contact(ContactKind kind, std::string_view value) override {
        return run<std::vector<Id>>("parties_by_contact", [&]() -> result<std::vector<Id>> {
            // contact_key holds live parties only: no need to read party rows.
            const std::string key = contact_index_key(kind, value);
            CRM_TRY(st, c_.stmt("SELECT party_id FROM contact_key "
                                "WHERE kind = ?1 AND value = ?2 ORDER BY party_id"));
            st.bind(1, to_string(kind));
            st.bind(2, key);
            return collect_ids(st);
        });
    }

    result<std::vector<Id>> parties_by_national_id(std::string_view national_id) override {
        return run<std::vector<Id>>("parties_by_national_id", [&]() -> result<std::vector<Id>> {
            if (national_id.empty()) return std::vector<Id>{};
            CRM_TRY(st, c_.stmt("SELECT id FROM party WHERE national_id = ?1 "
                                "AND merged_into IS NULL ORDER BY id"));
            st.bind(1, national_id);
            return collect_ids(st);
        });
    }

    result<std::vector<Id>> parties_by_tag(std::string_view tag, int offset, int limit) override {
        return run<std::vector<Id>>("parties_by_tag", [&]() -> result<std::vector<Id>> {
            CRM_TRYV(check_offset(offset));
            CRM_TRYV(check_limit(limit));
            CRM_TRY(st, c_.stmt("SELECT party_id FROM party_tag WHERE tag = ?1 "
                                "ORDER BY party_id LIMIT ?2 OFFSET ?3"));
            st.bind(1, tag);
            st.bind(2, limit);
            st.bind(3, offset);
            return collect_ids(st);
        });
    }

    result<std::vector<Id>> parties_by_name(std::string_view key, NameMatch match, int offset,
                                            int limit) override {
        return run<std::vector<Id>>("parties_by_name", [&]() -> result<std::vector<Id>> {
            CRM_TRYV(check_offset(offset));
            CRM_TRYV(check_limit(limit));
            if (match == NameMatch::prefix) {
                // A range on the partial index (name_key, id): no scan.
                std::string upper = prefix_upper_bound(key);
                CRM_TRY(st, c_.stmt("SELECT id FROM party WHERE merged_into IS NULL "
                                    "AND name_key >= ?1 AND name_key < ?2 "
                                    "ORDER BY name_key, id LIMIT ?3 OFFSET ?4"));
                st.bind(1, key);
                st.bind(2, upper);
                st.bind(3, limit);
                st.bind(4, offset);
                return collect_ids(st);
            }
            // instr() rather than LIKE: no wildcard characters to escape in
            // the key. It scans the covering index, in order.
            CRM_TRY(st, c_.stmt("SELECT id FROM party INDEXED BY party_name "
                                "WHERE merged_into IS NULL AND instr(name_key, ?1) > 0 "
                                "ORDER BY name_key, id LIMIT ?2 OFFSET ?3"));
            st.bind(1, key);
            st.bind(2, limit);
            st.bind(3, offset);
            return collect_ids(st);
        });
    }

    result<void> for_each_party(const Id& after,
                                const std::function<bool(const Party&)>& fn) override {
        return run<void>("for_each_party", [&]() -> result<void> {
            // One pass over the party table in id order; only the current
            // party is in memory.
            CRM_TRY(st, c_.stmt("SELECT " CRM_PARTY_COLS
                                " FROM party WHERE merged_into IS NULL AND id > ?1 ORDER BY id"));
            const IdText from(after);
            st.bind(1, from);
            for (;;) {
                CRM_TRY(row, st.step());
                if (!row) break;
                CRM_TRY(party, read_party(st));
                if (!fn(party)) break;
            }
            return ok();
        });
    }

    // ---- merges ----------------------------------------------------------

    // Only the log: the merged party's own row (merged_into) is written by
    // put_party, and a party merged into one that is merged later keeps
    // its row as it was (readers follow the chain).
    result<void> put_merge(const Id& merged, const Id& survivor, Timestamp at) override {
        return run<void>("put_merge", [&]() -> result<void> {
            IdText m(merged), s(survivor);
            CRM_TRY(st, c_.stmt("INSERT INTO merge_log (merged, survivor, at) "
                                "VALUES (?1, ?2, ?3) ON CONFLICT (merged) DO UPDATE "
                                "SET survivor = excluded.survivor, at = excluded.at"));
            st.bind(1, m);
            st.bind(2, s);
            st.bind(3, at.ms);
            return st.exec();
        });
    }

    result<Id> merged_into(const Id& id) override {
        return run<Id>("merged_into", [&]() -> result<Id> {
            IdText m(id);
            CRM_TRY(st, c_.stmt("SELECT survivor FROM merge_log WHERE merged = ?1"));
            st.bind(1, m);
            CRM_TRY(row, st.step());
            if (!row) return Id{};
            return st.id(0);
        });
    }

    result<std::vector<Id>> merged_from(const Id& survivor) override {
        return run<std::vector<Id>>("merged_from", [&]() -> result<std::vector<Id>> {
            IdText s(survivor);
            CRM_TRY(st, c_.stmt("SELECT merged FROM merge_log WHERE survivor = ?1 "
                                "ORDER BY merged"));
            st.bind(1, s);
            return collect_ids(st);
        });
    }

    result<void> reassign_party(const Id& from, const Id& to) override {
        return run<void>("reassign_party", [&]() -> result<void> {
            return atomically([&]() -> result<void> { return reassign_impl(from, to); });
        });
    }

    // ---- memberships -----------------------------------------------------

    result<void> put_membership(const Membership& m) override {
        return run<void>("put_membership", [&]() -> result<void> {
            IdText person(m.person), org(m.organization);
            CRM_TRY(st, c_.stmt("INSERT INTO membership (person, organization, role, since) "
                                "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (person, organization) "
                                "DO UPDATE SET role = excluded.role, since = excluded.since"));
            st.bind(1, person);
            st.bind(2, org);
            st.bind(3, m.role);
            st.bind(4, m.since.ms);
            return st.exec();
        });
    }

    result<bool> delete_membership(const Id& person, const Id& organization) override {
        return run<bool>("delete_membership", [&]() -> result<bool> {
            IdText p(person), o(organization);
            CRM_TRY(st, c_.stmt("DELETE FROM membership WHERE person = ?1 AND organization = ?2"));
            st.bind(1, p);
            st.bind(2, o);
            CRM_TRYV(st.exec());
            return sqlite3_changes(c_.handle()) > 0;
        });
    }

    result<std::vector<Membership>> memberships_of(const Id& party) override {
        return run<std::vector<Membership>>(
            "memberships_of", [&]() -> result<std::vector<Membership>> {
                IdText p(party);
                CRM_TRY(st, c_.stmt(
                                "SELECT person, organization, role, since FROM membership "
                                "WHERE person = ?1 UNION ALL "
                                "SELECT person, organization, role, since FROM membership "
                                "WHERE organization = ?1 AND person <> ?1 "
                                "ORDER BY 1, 2"));
                st.bind(1, p);
                return collect<Membership>(st, [](const Stmt& s) -> result<Membership> {
                    Membership m;
                    CRM_TRY(person, s.id(0));
                    CRM_TRY(org, s.id(1));
                    m.person = person;
                    m.organization = org;
                    m.role = s.str(2);
                    m.since = Timestamp{s.i64(3)};
                    return m;
                });
            });
    }

    // ---- interactions ----------------------------------------------------

    result<void> put_interaction(const Interaction& i) override {
        return run<void>("put_interaction", [&]() -> result<void> {
            IdText id(i.id), party(i.party);
            CRM_TRY(st, c_.stmt(
                            "INSERT INTO interaction (" CRM_INTERACTION_COLS ") VALUES "
                            "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
                            "ON CONFLICT (id) DO UPDATE SET party_id = excluded.party_id, "
                            "channel = excluded.channel, direction = excluded.direction, "
                            "at = excluded.at, subject = excluded.subject, "
                            "summary = excluded.summary, actor = excluded.actor, "
                            "duration_s = excluded.duration_s, outcome = excluded.outcome, "
                            "external_id = excluded.external_id"));
            st.bind(1, id);
            st.bind(2, party);
            st.bind(3, to_string(i.channel));
            st.bind(4, to_string(i.direction));
            st.bind(5, i.at.ms);
            st.bind(6, i.subject);
            st.bind(7, i.summary);
            st.bind(8, i.actor);
            if (i.duration_s) st.bind(9, *i.duration_s); else st.bind_null(9);
            st.bind(10, i.outcome);
            st.bind_or_null(11, i.external_id);
            return st.exec();
        });
    }

    result<std::optional<Interaction>> interaction_by_external_id(std::string_view ext) override {
        return run<std::optional<Interaction>>(
            "interaction_by_external_id", [&]() -> result<std::optional<Interaction>> {
                if (ext.empty()) return std::optional<Interaction>{};
                CRM_TRY(st, c_.stmt("SELECT " CRM_INTERACTION_COLS
                                    " FROM interaction WHERE external_id = ?1"));
                st.bind(1, ext);
                CRM_TRY(row, st.step());
                if (!row) return std::optional<Interaction>{};
                CRM_TRY(i, read_interaction(st));
                return std::optional<Interaction>(std::move(i));
            });
    }

    result<Page<Interaction>> interactions(const Id& party, const TimelineQuery& q) override {
        return run<Page<Interaction>>("interactions", [&]() -> result<Page<Interaction>> {
            if (q.limit < 1 || q.limit > 1000)
                return fail(errc::invalid_argument, "limit must be between 1 and 1000", "limit");
            IdText p(party);
            Page<Interaction> page;
            // One row more than asked tells whether another page follows.
            const int fetch = q.limit + 1;
            auto read_page = [&](Stmt& st) -> result<void> {
                CRM_TRY(items, collect<Interaction>(st, read_interaction));
                page.items = std::move(items);
                return ok();
            };
            if (q.before.empty()) {
                CRM_TRY(st, c_.stmt("SELECT " CRM_INTERACTION_COLS " FROM interaction "
                                    "WHERE party_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2"));
                st.bind(1, p);
                st.bind(2, fetch);
                CRM_TRYV(read_page(st));
            } else {
                CRM_TRY(from, decode_cursor(q.before));
                IdText after(from.id);
                // The row value (at, id) walks the (party_id, at DESC, id DESC)
                // index from the cursor on; ties in `at` page by id.
                CRM_TRY(st, c_.stmt("SELECT " CRM_INTERACTION_COLS " FROM interaction "
                                    "WHERE party_id = ?1 AND (at, id) < (?2, ?3) "
                                    "ORDER BY at DESC, id DESC LIMIT ?4"));
                st.bind(1, p);
                st.bind(2, from.at_ms);
                st.bind(3, after);
                st.bind(4, fetch);
                CRM_TRYV(read_page(st));
            }
            if (static_cast<int>(page.items.size()) > q.limit) {
                page.items.pop_back();
                page.next = encode_cursor(page.items.back().at.ms, page.items.back().id);
            }
            return page;
        });
    }

    // ---- activities ------------------------------------------------------

    result<void> put_activity(const Activity& a) override {
        return run<void>("put_activity", [&]() -> result<void> {
            IdText id(a.id), party(a.party);
            CRM_TRY(st, c_.stmt("INSERT INTO activity (" CRM_ACTIVITY_COLS ") VALUES "
                                "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                                "ON CONFLICT (id) DO UPDATE SET party_id = excluded.party_id, "
                                "kind = excluded.kind, subject = excluded.subject, "
                                "note = excluded.note, due_at = excluded.due_at, "
                                "assignee = excluded.assignee, status = excluded.status, "
                                "created_at = excluded.created_at, "
                                "closed_at = excluded.closed_at"));
            st.bind(1, id);
            st.bind(2, party);
            st.bind(3, to_string(a.kind));
            st.bind(4, a.subject);
            st.bind(5, a.note);
            st.bind(6, a.due.ms);
            st.bind(7, a.assignee);
            st.bind(8, to_string(a.status));
            st.bind(9, a.created_at.ms);
            if (a.closed_at) st.bind(10, a.closed_at->ms); else st.bind_null(10);
            return st.exec();
        });
    }

    result<std::optional<Activity>> get_activity(const Id& id) override {
        return run<std::optional<Activity>>(
            "get_activity", [&]() -> result<std::optional<Activity>> {
                IdText a(id);
                CRM_TRY(st, c_.stmt("SELECT " CRM_ACTIVITY_COLS " FROM activity WHERE id = ?1"));
                st.bind(1, a);
                CRM_TRY(row, st.step());
                if (!row) return std::optional<Activity>{};
                CRM_TRY(act, read_activity(st));
                return std::optional<Activity>(std::move(act));
            });
    }

    result<std::vector<Activity>> open_activities(const Id& party, int limit) override {
        return run<std::vector<Activity>>(
            "open_activities", [&]() -> result<std::vector<Activity>> {
                CRM_TRYV(check_limit(limit));
                IdText p(party);
                CRM_TRY(st, c_.stmt("SELECT " CRM_ACTIVITY_COLS " FROM activity "
                                    "WHERE party_id = ?1 AND status = ?2 "
                                    "ORDER BY due_at, id LIMIT ?3"));
                st.bind(1, p);
                st.bind(2, to_string(ActivityStatus::open));
                st.bind(3, limit);
                return collect<Activity>(st, read_activity);
            });
    }

    result<std::vector<Activity>> activities_due(std::string_view assignee, Timestamp until,
                                                 int limit) override {
        return run<std::vector<Activity>>(
            "activities_due", [&]() -> result<std::vector<Activity>> {
                CRM_TRYV(check_limit(limit));
                CRM_TRY(st, c_.stmt("SELECT " CRM_ACTIVITY_COLS " FROM activity "
                                    "WHERE assignee = ?1 AND status = ?2 AND due_at < ?3 "
                                    "ORDER BY due_at, id LIMIT ?4"));
                st.bind(1, assignee);
                st.bind(2, to_string(ActivityStatus::open));
                st.bind(3, until.ms);
                st.bind(4, limit);
                return collect<Activity>(st, read_activity);
            });
    }

    // ---- purchases -------------------------------------------------------

    result<std::optional<Purchase>> purchase_by_order_id(std::string_view order_id) override {
        return run<std::optional<Purchase>>(
            "purchase_by_order_id", [&]() -> result<std::optional<Purchase>> {
                CRM_TRY(st, c_.stmt("SELECT " CRM_PURCHASE_COLS
                                    " FROM purchase WHERE order_id = ?1"));
                st.bind(1, order_id);
                CRM_TRY(row, st.step());
                if (!row) return std::optional<Purchase>{};
                CRM_TRY(p, read_purchase(st));
                return std::optional<Purchase>(std::move(p));
            });
    }

    result<void> put_purchase(const Purchase& p) override {
        return run<void>("put_purchase", [&]() -> result<void> { return put_purchase_impl(p); });
    }

    result<std::vector<Purchase>> purchases_of(const Id& party) override {
        return run<std::vector<Purchase>>("purchases_of", [&]() -> result<std::vector<Purchase>> {
            IdText p(party);
            CRM_TRY(st, c_.stmt("SELECT " CRM_PURCHASE_COLS " FROM purchase WHERE party_id = ?1 "
                                "ORDER BY ordered_at, id"));
            st.bind(1, p);
            return collect<Purchase>(st, read_purchase);
        });
    }

    result<std::vector<PurchaseSummary>> purchase_summary(const Id& party) override {
        return run<std::vector<PurchaseSummary>>(
            "purchase_summary", [&]() -> result<std::vector<PurchaseSummary>> {
                IdText p(party);
                CRM_TRY(st, c_.stmt("SELECT currency, count, total_minor, first_at, last_at "
                                    "FROM purchase_summary WHERE party_id = ?1 ORDER BY currency"));
                st.bind(1, p);
                return collect<PurchaseSummary>(st, [](const Stmt& s) -> result<PurchaseSummary> {
                    return PurchaseSummary{s.str(0), s.i64(1), s.i64(2), Timestamp{s.i64(3)},
                                           Timestamp{s.i64(4)}};
                });
            });
    }

    // ---- custom fields ---------------------------------------------------

    result<void> put_field(const FieldDef& d) override {
        return run<void>("put_field", [&]() -> result<void> {
            std::string allowed = encode_strings(d.allowed);
            CRM_TRY(st, c_.stmt("INSERT INTO field_def (" CRM_FIELD_COLS ") VALUES "
                                "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                                "ON CONFLICT (record_type, name) DO UPDATE SET "
                                "label = excluded.label, type = excluded.type, "
                                "required = excluded.required, allowed = excluded.allowed, "
                                "min_value = excluded.min_value, max_value = excluded.max_value, "
                                "currency = excluded.currency"));
            st.bind(1, d.record_type);
            st.bind(2, d.name);
            st.bind(3, d.label);
            st.bind(4, to_string(d.type));
            st.bind(5, d.required);
            st.bind(6, allowed);
            if (d.min) st.bind(7, *d.min); else st.bind_null(7);
            if (d.max) st.bind(8, *d.max); else st.bind_null(8);
            st.bind(9, d.currency);
            return st.exec();
        });
    }

    result<std::vector<FieldDef>> fields(std::string_view record_type) override {
        return run<std::vector<FieldDef>>("fields", [&]() -> result<std::vector<FieldDef>> {
            CRM_TRY(st, c_.stmt("SELECT " CRM_FIELD_COLS
                                " FROM field_def WHERE record_type = ?1 ORDER BY name"));
            st.bind(1, record_type);
            return collect<FieldDef>(st, read_field);
        });
    }

    // ---- definitions -----------------------------------------------------

    result<void> put_definition(const StoredDefinition& d) override {
        return run<void>("put_definition", [&]() -> result<void> {
            shared_->forget_versions();
            CRM_TRY(st, c_.stmt("INSERT INTO definition (kind, id, version, body, created_at, "
                                "actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
            st.bind(1, d.kind);
            st.bind(2, d.id);
            st.bind(3, d.version);
            st.bind(4, d.body);
            st.bind(5, d.created_at.ms);
            st.bind(6, d.actor);
            auto r = st.exec();
            if (!r && sqlite3_extended_errcode(c_.handle()) == SQLITE_CONSTRAINT_PRIMARYKEY)
                return fail(errc::conflict,
                            d.kind + " '" + d.id + "' version " + std::to_string(d.version) +
                                " exists",
                            "version");
            return r;
        });
    }

    result<std::optional<StoredDefinition>> get_definition(std::string_view kind,
                                                           std::string_view id,
                                                           int version) override {
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

    result<std::vector<StoredDefinition>> definitions(std::string_view kind) override {
        return run<std::vector<StoredDefinition>>(
            "definitions", [&]() -> result<std::vector<StoredDefinition>> {
                CRM_TRY(st, c_.stmt("SELECT kind, id, max(version), body, created_at, actor "
                                    "FROM definition WHERE kind = ?1 GROUP BY id ORDER BY id"));
                st.bind(1, kind);
                return collect<StoredDefinition>(st, read_definition);
            });
    }

    result<int> definition_version(std::string_view kind, std::string_view id) override {
        return run<int>("definition_version", [&]() -> result<int> {
            auto key = std::make_pair(std::string(kind), std::string(id));
            if (auto it = shared_->version_of.find(key); it != shared_->version_of.end())
                return it->second;
            CRM_TRY(st, c_.stmt("SELECT max(version) FROM definition WHERE kind = ?1 AND id = ?2"));
            st.bind(1, kind);
            st.bind(2, id);
            CRM_TRY(row, st.step());
            const int version = row ? static_cast<int>(st.i64(0)) : 0;
            shared_->version_of.emplace(std::move(key), version);
            return version;
        });
    }

    result<std::vector<std::pair<std::string, int>>> definition_versions(
        std::string_view kind) override {
        using Out = std::vector<std::pair<std::string, int>>;
        return run<Out>("definition_versions", [&]() -> result<Out> {
            if (auto it = shared_->versions_of_kind.find(kind); it != shared_->versions_of_kind.end())
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
            shared_->versions_of_kind.emplace(std::string(kind), out);
            return out;
        });
    }

    // ---- opportunities ---------------------------------------------------

    result<void> put_opportunity(const Opportunity& o) override {
        return run<void>("put_opportunity", [&]() -> result<void> {
            IdText id(o.id), party(o.party);
            const std::string body = codec::to_json(o).dump();
            CRM_TRY(st, c_.stmt(
                "INSERT INTO opportunity (id, external_id, party_id, pipeline, pipeline_version, "
                "stage, status, owner, team, forecast_category, amount_minor, currency, "
                "probability, expected_close, closed_at, revenue_minor, updated_at, body) VALUES "
                "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) "
                "ON CONFLICT (id) DO UPDATE SET external_id = excluded.external_id, "
                "party_id = excluded.party_id, pipeline = excluded.pipeline, "
                "pipeline_version = excluded.pipeline_version, stage = excluded.stage, "
                "status = excluded.status, owner = excluded.owner, team = excluded.team, "
                "forecast_category = excluded.forecast_category, "
                "amount_minor = excluded.amount_minor, currency = excluded.currency, "
                "probability = excluded.probability, expected_close = excluded.expected_close, "
                "closed_at = excluded.closed_at, revenue_minor = excluded.revenue_minor, "
                "updated_at = excluded.updated_at, body = excluded.body"));
            st.bind(1, id);
            st.bind_or_null(2, o.external_id);
            st.bind(3, party);
            st.bind(4, o.pipeline);
            st.bind(5, o.pipeline_version);
            st.bind(6, o.stage);
            st.bind(7, o.status);
            st.bind(8, o.owner);
            st.bind(9, o.team);
            st.bind(10, o.forecast_category);
            if (o.amount) st.bind(11, o.amount->minor); else st.bind_null(11);
            st.bind(12, o.amount ? std::string_view(o.amount->currency) : std::string_view());
            st.bind(13, o.probability);
            st.bind(14, o.expected_close);
            if (o.closed_at) st.bind(15, o.closed_at->ms); else st.bind_null(15);
            st.bind(16, o.status == "won" ? revenue_minor(o) : std::int64_t{0});
            st.bind(17, o.updated_at.ms);
            st.bind(18, body);
            auto r = st.exec();
            if (!r && r.error().code == errc::conflict)
                return fail(errc::conflict, "opportunity '" + o.external_id + "' already exists",
                            "external_id");
            return r;
        });
    }

    result<std::optional<Opportunity>> get_opportunity(const Id& id) override {
        return run<std::optional<Opportunity>>("get_opportunity", [&] {
            return body_by_id<Opportunity>("SELECT body FROM opportunity WHERE id = ?1", id);
        });
    }

    result<Id> opportunity_by_external_id(std::string_view external_id) override {
        return run<Id>("opportunity_by_external_id", [&] {
            return id_by_key("SELECT id FROM opportunity WHERE external_id = ?1", external_id);
        });
    }

    result<std::vector<Opportunity>> opportunities_of(const Id& party) override {
        return run<std::vector<Opportunity>>("opportunities_of", [&] {
            return bodies_by_id<Opportunity>(
                "SELECT body FROM opportunity WHERE party_id = ?1 ORDER BY id DESC", party);
        });
    }

    result<std::vector<Id>> opportunities_in(std::string_view pipeline, int version,
                                             const Id& after, int limit) override {
        return run<std::vector<Id>>("opportunities_in", [&]() -> result<std::vector<Id>> {
            CRM_TRYV(check_limit(limit));
            IdText a(after);
            CRM_TRY(st, c_.stmt("SELECT id FROM opportunity WHERE pipeline = ?1 "
                                "AND (?2 = 0 OR pipeline_version = ?2) AND id > ?3 "
                                "ORDER BY id LIMIT ?4"));
            st.bind(1, pipeline);
            st.bind(2, version);
            st.bind(3, after.is_nil() ? std::string_view("") : a.view());
            st.bind(4, limit);
            return collect_ids(st);
        });
    }

    result<std::vector<StageTotal>> stage_totals(std::string_view pipeline) override {
        return run<std::vector<StageTotal>>(
            "stage_totals", [&]() -> result<std::vector<StageTotal>> {
                // Amounts are at most 9e16 minor units, so amount * 100 fits.
                CRM_TRY(st, c_.stmt("SELECT stage, currency, count(*), "
                                    "coalesce(sum(amount_minor), 0), "
                                    "coalesce(sum(amount_minor * probability / 100), 0) "
                                    "FROM opportunity WHERE pipeline = ?1 "
                                    "GROUP BY stage, currency ORDER BY stage, currency"));
                st.bind(1, pipeline);
                return collect<StageTotal>(st, [](Stmt& s) -> result<StageTotal> {
                    return StageTotal{s.str(0), s.str(1), s.i64(2), s.i64(3), s.i64(4)};
                });
            });
    }

    // ---- leads -------------------------------------------------------------

    result<void> put_lead(const Lead& l) override {
        return run<void>("put_lead", [&]() -> result<void> {
            IdText id(l.id), party(l.party);
            const std::string body = codec::to_json(l).dump();
            CRM_TRY(st, c_.stmt(
                "INSERT INTO lead (id, external_id, party_id, state, status, owner, score, "
                "updated_at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                "ON CONFLICT (id) DO UPDATE SET external_id = excluded.external_id, "
                "party_id = excluded.party_id, state = excluded.state, status = excluded.status, "
                "owner = excluded.owner, score = excluded.score, updated_at = excluded.updated_at, "
                "body = excluded.body"));
            st.bind(1, id);
            st.bind_or_null(2, l.external_id);
            if (l.party.is_nil()) st.bind_null(3); else st.bind(3, party);
            st.bind(4, l.state);
            st.bind(5, l.status);
            st.bind(6, l.owner);
            st.bind(7, l.score);
            st.bind(8, l.updated_at.ms);
            st.bind(9, body);
            auto r = st.exec();
            if (!r && r.error().code == errc::conflict)
                return fail(errc::conflict, "lead '" + l.external_id + "' already exists",
                            "external_id");
            return r;
        });
    }

    result<std::optional<Lead>> get_lead(const Id& id) override {
        return run<std::optional<Lead>>("get_lead", [&] {
            return body_by_id<Lead>("SELECT body FROM lead WHERE id = ?1", id);
        });
    }

    result<Id> lead_by_external_id(std::string_view external_id) override {
        return run<Id>("lead_by_external_id", [&] {
            return id_by_key("SELECT id FROM lead WHERE external_id = ?1", external_id);
        });
    }

    result<std::vector<Lead>> leads_of(const Id& party) override {
        return run<std::vector<Lead>>("leads_of", [&] {
            return bodies_by_id<Lead>("SELECT body FROM lead WHERE party_id = ?1 ORDER BY id DESC",
                                      party);
        });
    }

    // ---- products and quotes -------------------------------------------------

    result<void> put_product(const Product& p) override {
        return run<void>("put_product", [&]() -> result<void> {
            const std::string body = codec::to_json(p).dump();
            CRM_TRY(st, c_.stmt("INSERT INTO product (sku, name, active, updated_at, body) "
                                "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (sku) DO UPDATE SET "
                                "name = excluded.name, active = excluded.active, "
                                "updated_at = excluded.updated_at, body = excluded.body"));
            st.bind(1, p.sku);
            st.bind(2, p.name);
            st.bind(3, p.active ? 1 : 0);
            st.bind(4, p.updated_at.ms);
            st.bind(5, body);
            return st.exec();
        });
    }

    result<std::optional<Product>> get_product(std::string_view sku) override {
        return run<std::optional<Product>>("get_product", [&]() -> result<std::optional<Product>> {
            CRM_TRY(st, c_.stmt("SELECT body FROM product WHERE sku = ?1"));
            st.bind(1, sku);
            CRM_TRY(rows, collect<Product>(st, read_body<Product>));
            if (rows.empty()) return std::optional<Product>{};
            return std::optional<Product>{std::move(rows.front())};
        });
    }

    result<std::vector<Product>> products(std::string_view after, int limit) override {
        return run<std::vector<Product>>("products", [&]() -> result<std::vector<Product>> {
            CRM_TRYV(check_limit(limit));
            CRM_TRY(st, c_.stmt("SELECT body FROM product WHERE sku > ?1 ORDER BY sku LIMIT ?2"));
            st.bind(1, after);
            st.bind(2, limit);
            return collect<Product>(st, read_body<Product>);
        });
    }

    result<void> put_quote(const Quote& q) override {
        return run<void>("put_quote", [&]() -> result<void> {
            IdText id(q.id), root(q.root), party(q.party), opp(q.opportunity);
            const std::string body = codec::to_json(q).dump();
            CRM_TRY(st, c_.stmt(
                "INSERT INTO quote (id, root, revision, number, party_id, opportunity_id, state, "
                "status, currency, total_minor, erp_order_id, updated_at, body) VALUES "
                "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
                "ON CONFLICT (id) DO UPDATE SET number = excluded.number, "
                "party_id = excluded.party_id, opportunity_id = excluded.opportunity_id, "
                "state = excluded.state, status = excluded.status, currency = excluded.currency, "
                "total_minor = excluded.total_minor, erp_order_id = excluded.erp_order_id, "
                "updated_at = excluded.updated_at, body = excluded.body"));
            st.bind(1, id);
            st.bind(2, root);
            st.bind(3, q.revision);
            st.bind_or_null(4, q.number);
            st.bind(5, party);
            if (q.opportunity.is_nil()) st.bind_null(6); else st.bind(6, opp);
            st.bind(7, q.state);
            st.bind(8, q.status);
            st.bind(9, q.currency);
            st.bind(10, q.total_minor);
            st.bind_or_null(11, q.erp_order_id);
            st.bind(12, q.updated_at.ms);
            st.bind(13, body);
            auto r = st.exec();
            if (!r && r.error().code == errc::conflict)
                return fail(errc::conflict,
                            "revision " + std::to_string(q.revision) + " of the quote already exists",
                            "revision");
            return r;
        });
    }

    result<std::optional<Quote>> get_quote(const Id& id) override {
        return run<std::optional<Quote>>("get_quote", [&] {
            return body_by_id<Quote>("SELECT body FROM quote WHERE id = ?1", id);
        });
    }

    result<Id> quote_by_number(std::string_view number) override {
        return run<Id>("quote_by_number", [&] {
            return id_by_key("SELECT id FROM quote WHERE number = ?1 ORDER BY revision DESC LIMIT 1",
                             number);
        });
    }

    result<std::vector<Quote>> quotes_of(const Id& party) override {
        return run<std::vector<Quote>>("quotes_of", [&] {
            return bodies_by_id<Quote>("SELECT body FROM quote WHERE party_id = ?1 ORDER BY id DESC",
                                       party);
        });
    }

    result<std::vector<Quote>> quotes_for_opportunity(const Id& opportunity) override {
        return run<std::vector<Quote>>("quotes_for_opportunity", [&] {
            return bodies_by_id<Quote>(
                "SELECT body FROM quote WHERE opportunity_id = ?1 ORDER BY id DESC", opportunity);
        });
    }

    result<std::vector<Quote>> quote_revisions(const Id& root) override {
        return run<std::vector<Quote>>("quote_revisions", [&] {
            return bodies_by_id<Quote>("SELECT body FROM quote WHERE root = ?1 ORDER BY revision",
                                       root);
        });
    }

    // ---- tickets and comments ------------------------------------------------

    result<void> put_ticket(const Ticket& t, std::string_view given) override {
        return run<void>("put_ticket", [&]() -> result<void> {
            IdText id(t.id), party(t.party);
            const std::string made = given.empty() ? codec::ticket_text(t) : std::string();
            const std::string_view body = given.empty() ? std::string_view(made) : given;
            CRM_TRY(st, c_.stmt(
                "INSERT INTO ticket (id, external_id, party_id, queue, assignee, state, status, "
                "priority, type, sla_policy, due_at, updated_at, body) VALUES "
                "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
                "ON CONFLICT (id) DO UPDATE SET external_id = excluded.external_id, "
                "party_id = excluded.party_id, queue = excluded.queue, "
                "assignee = excluded.assignee, state = excluded.state, status = excluded.status, "
                "priority = excluded.priority, type = excluded.type, "
                "sla_policy = excluded.sla_policy, due_at = excluded.due_at, "
                "updated_at = excluded.updated_at, body = excluded.body"));
            st.bind(1, id);
            st.bind_or_null(2, t.external_id);
            st.bind(3, party);
            st.bind(4, t.queue);
            st.bind(5, t.assignee);
            st.bind(6, t.state);
            st.bind(7, t.status);
            st.bind(8, to_string(t.priority));
            st.bind(9, to_string(t.type));
            st.bind(10, t.sla_policy);
            if (t.due_at) st.bind(11, t.due_at->ms); else st.bind_null(11);
            st.bind(12, t.updated_at.ms);
            st.bind(13, body);
            auto r = st.exec();
            if (!r && r.error().code == errc::conflict)
                return fail(errc::conflict, "ticket '" + t.external_id + "' already exists",
                            "external_id");
            return r;
        });
    }

    result<std::optional<Ticket>> get_ticket(const Id& id) override {
        return run<std::optional<Ticket>>("get_ticket", [&] {
            return body_by_id<Ticket>("SELECT body FROM ticket WHERE id = ?1", id);
        });
    }

    result<Id> ticket_by_external_id(std::string_view external_id) override {
        return run<Id>("ticket_by_external_id", [&] {
            return id_by_key("SELECT id FROM ticket WHERE external_id = ?1", external_id);
        });
    }

    result<std::vector<Ticket>> tickets_of(const Id& party) override {
        return run<std::vector<Ticket>>("tickets_of", [&] {
            return bodies_by_id<Ticket>(
                "SELECT body FROM ticket WHERE party_id = ?1 ORDER BY id DESC", party);
        });
    }

    result<std::vector<Id>> tickets_due(Timestamp until, int limit) override {
        return run<std::vector<Id>>("tickets_due", [&]() -> result<std::vector<Id>> {
            CRM_TRYV(check_limit(limit, 100'000));
            CRM_TRY(st, c_.stmt("SELECT id FROM ticket WHERE due_at IS NOT NULL AND due_at <= ?1 "
                                "ORDER BY due_at, id LIMIT ?2"));
            st.bind(1, until.ms);
            st.bind(2, limit);
            return collect_ids(st);
        });
    }

    result<std::vector<Id>> open_tickets_of_policy(std::string_view policy, const Id& after,
                                                   int limit) override {
        return run<std::vector<Id>>("open_tickets_of_policy", [&]() -> result<std::vector<Id>> {
            CRM_TRYV(check_limit(limit, 100'000));
            IdText a(after);
            CRM_TRY(st, c_.stmt("SELECT id FROM ticket WHERE status = 'open' AND sla_policy = ?1 "
                                "AND id > ?2 ORDER BY id LIMIT ?3"));
            st.bind(1, policy);
            st.bind(2, a);
            st.bind(3, limit);
            return collect_ids(st);
        });
    }

    result<std::vector<std::pair<std::string, int>>> open_ticket_counts(
        std::string_view queue) override {
        using Out = std::vector<std::pair<std::string, int>>;
        return run<Out>("open_ticket_counts", [&]() -> result<Out> {
            CRM_TRY(st, c_.stmt("SELECT assignee, count(*) FROM ticket WHERE queue = ?1 AND "
                                "status = 'open' GROUP BY assignee ORDER BY assignee"));
            st.bind(1, queue);
            Out out;
            for (;;) {
                CRM_TRY(row, st.step());
                if (!row) break;
                out.emplace_back(st.str(0), static_cast<int>(st.i64(1)));
            }
            return out;
        });
    }

    result<void> for_each_ticket(const std::function<bool(const Ticket&)>& fn) override {
        return run<void>("for_each_ticket", [&]() -> result<void> {
            CRM_TRY(st, c_.stmt("SELECT body FROM ticket ORDER BY id"));
            for (;;) {
                CRM_TRY(row, st.step());
                if (!row) break;
                CRM_TRY(t, read_body<Ticket>(st));
                if (!fn(t)) break;
            }
            return ok();
        });
    }

    result<std::vector<NpsResponse>> nps_between(Timestamp from, Timestamp to) override {
        return run<std::vector<NpsResponse>>("nps_between", [&]() -> result<std::vector<NpsResponse>> {
            CRM_TRY(st, c_.stmt("SELECT id, party_id, score, comment, at FROM nps_response "
                                "WHERE at >= ?1 AND at < ?2 ORDER BY at, id"));
            st.bind(1, from.ms);
            st.bind(2, to.ms);
            return collect<NpsResponse>(st, read_nps);
        });
    }

    result<void> for_each_history(std::string_view record_type, Timestamp from, Timestamp to,
                                  const std::function<bool(const HistoryEntry&)>& fn) override {
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

    result<void> put_nps(const NpsResponse& r) override {
        return run<void>("put_nps", [&]() -> result<void> {
            IdText id(r.id), party(r.party);
            CRM_TRY(st, c_.stmt("INSERT INTO nps_response (id, party_id, score, comment, at) "
                                "VALUES (?1, ?2, ?3, ?4, ?5)"));
            st.bind(1, id);
            st.bind(2, party);
            st.bind(3, r.score);
            st.bind(4, r.comment);
            st.bind(5, r.at.ms);
            return st.exec();
        });
    }

    result<std::vector<NpsResponse>> nps_of(const Id& party, int limit) override {
        return run<std::vector<NpsResponse>>("nps_of", [&]() -> result<std::vector<NpsResponse>> {
            CRM_TRYV(check_limit(limit));
            IdText p(party);
            CRM_TRY(st, c_.stmt("SELECT id, party_id, score, comment, at FROM nps_response "
                                "WHERE party_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2"));
            st.bind(1, p);
            st.bind(2, limit);
            return collect<NpsResponse>(st, read_nps);
        });
    }

    // ---- profiles and segments -------------------------------------------

    result<void> put_profile(const PartyProfile& p) override {
        return run<void>("put_profile", [&]() -> result<void> {
            IdText id(p.party);
            const std::string tags = encode_strings(p.tags);
            const std::string orgs = encode_strings(p.organizations);
            const std::string custom = encode_custom(p.custom);
            CRM_TRY(st, c_.stmt("INSERT OR REPLACE INTO party_profile (" CRM_PROFILE_COLS
                                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                                "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
                                "?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, "
                                "?40, ?41, ?42, ?43, ?44, ?45, ?46, ?47, ?48)"));
            const auto time = [&](int col, const std::optional<Timestamp>& t) {
                if (t) st.bind(col, t->ms); else st.bind_null(col);
            };
            st.bind(1, id);
            st.bind(2, to_string(p.kind));
            st.bind(3, p.lifecycle_stage);
            st.bind(4, p.owner);
            st.bind(5, p.city);
            st.bind(6, p.country);
            st.bind(7, tags);
            st.bind(8, p.created_at.ms);
            st.bind(9, p.consent_email);
            st.bind(10, p.consent_sms);
            st.bind(11, p.consent_call);
            st.bind(12, p.consent_whatsapp);
            st.bind(13, orgs);
            st.bind(14, p.purchase_count);
            st.bind(15, p.purchase_sum);
            time(16, p.first_purchase);
            time(17, p.last_purchase);
            for (std::size_t w = 0; w < kPurchaseWindows.size(); ++w) {
                st.bind(18 + static_cast<int>(w), p.window_count[w]);
                st.bind(22 + static_cast<int>(w), p.window_sum[w]);
            }
            st.bind(26, p.rfm_recency);
            st.bind(27, p.rfm_frequency);
            st.bind(28, p.rfm_monetary);
            for (int c = 0; c < kChannelCount; ++c)
                time(29 + c, p.last_interaction[static_cast<std::size_t>(c)]);
            st.bind(38, p.tickets);
            st.bind(39, p.open_tickets);
            st.bind(40, p.complaints);
            st.bind(41, p.campaigns_sent);
            st.bind(42, p.campaigns_opened);
            st.bind(43, p.campaigns_clicked);
            st.bind(44, p.campaigns_responded);
            st.bind(45, p.campaigns_converted);
            st.bind(46, p.as_of.ms);
            time(47, p.expires_at);
            st.bind(kProfileCols, custom);
            return st.exec();
        });
    }

    result<std::optional<PartyProfile>> get_profile(const Id& party) override {
        using Out = std::optional<PartyProfile>;
        return run<Out>("get_profile", [&]() -> result<Out> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("SELECT " CRM_PROFILE_COLS " FROM party_profile WHERE party_id = ?1"));
            st.bind(1, id);
            CRM_TRY(row, st.step());
            if (!row) return Out{};
            CRM_TRY(p, read_profile(st));
            return Out{std::move(p)};
        });
    }

    result<void> delete_profile(const Id& party) override {
        return run<void>("delete_profile", [&]() -> result<void> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("DELETE FROM party_profile WHERE party_id = ?1"));
            st.bind(1, id);
            return st.exec();
        });
    }

    result<std::int64_t> profile_count() override {
        return run<std::int64_t>("profile_count", [&]() -> result<std::int64_t> {
            CRM_TRY(st, c_.stmt("SELECT count(*) FROM party_profile"));
            CRM_TRY(row, st.step());
            return row ? st.i64(0) : 0;
        });
    }

    result<std::vector<Id>> profiles_expiring(Timestamp until, int limit) override {
        return run<std::vector<Id>>("profiles_expiring", [&]() -> result<std::vector<Id>> {
            CRM_TRYV(check_limit(limit));
            CRM_TRY(st, c_.stmt("SELECT party_id FROM party_profile WHERE expires_at IS NOT NULL "
                                "AND expires_at <= ?1 ORDER BY expires_at, party_id LIMIT ?2"));
            st.bind(1, until.ms);
            st.bind(2, limit);
            return collect_ids(st);
        });
    }

    // A rule compiled for party_profile: "(<where>)" and its parameters.
    static result<expr::SqlWhere> profile_where(const expr::Schema& schema, const expr::Expr& rule,
                                                const expr::Context& context) {
        return expr::to_sql(rule, marketing::profile_mapping(schema), context);
    }
    static void bind_params(Stmt& st, int first, const std::vector<expr::SqlParam>& params) {
        for (std::size_t i = 0; i < params.size(); ++i) {
            const int at = first + static_cast<int>(i);
            if (const auto* n = std::get_if<std::int64_t>(&params[i])) st.bind(at, *n);
            else st.bind(at, std::get<std::string>(params[i]));
        }
    }

    result<std::vector<Id>> match_profiles(const expr::Schema& schema, const expr::Expr& rule,
                                           const expr::Context& context, const Id& after,
                                           int limit) override {
        return run<std::vector<Id>>("match_profiles", [&]() -> result<std::vector<Id>> {
            CRM_TRYV(check_limit(limit));
            CRM_TRY(where, profile_where(schema, rule, context));
            // Placeholders are numbered in order of appearance: after, the
            // rule's, then the limit.
            CRM_TRY(st, c_.stmt_dynamic("SELECT party_id FROM party_profile WHERE party_id > ? AND (" +
                                        where.sql + ") ORDER BY party_id LIMIT ?"));
            IdText from(after);
            if (after.is_nil()) st.bind(1, ""); else st.bind(1, from);
            bind_params(st, 2, where.params);
            st.bind(2 + static_cast<int>(where.params.size()), limit);
            return collect_ids(st);
        });
    }

    result<std::int64_t> count_profiles(const expr::Schema& schema, const expr::Expr& rule,
                                        const expr::Context& context) override {
        return run<std::int64_t>("count_profiles", [&]() -> result<std::int64_t> {
            CRM_TRY(where, profile_where(schema, rule, context));
            CRM_TRY(st, c_.stmt_dynamic("SELECT count(*) FROM party_profile WHERE " + where.sql));
            bind_params(st, 1, where.params);
            CRM_TRY(row, st.step());
            return row ? st.i64(0) : 0;
        });
    }

    result<std::vector<Id>> sample_profiles(const expr::Schema& schema, const expr::Expr& rule,
                                            const expr::Context& context, int size,
                                            std::uint64_t seed) override {
        return run<std::vector<Id>>("sample_profiles", [&]() -> result<std::vector<Id>> {
            CRM_TRYV(check_limit(size));
            CRM_TRY(where, profile_where(schema, rule, context));
            // ORDER BY with LIMIT keeps only `size` rows while it scans.
            CRM_TRY(st, c_.stmt_dynamic("SELECT party_id FROM party_profile WHERE " + where.sql +
                                        " ORDER BY crm_sample_key(party_id, ?), party_id LIMIT ?"));
            bind_params(st, 1, where.params);
            const int next = 1 + static_cast<int>(where.params.size());
            st.bind(next, static_cast<std::int64_t>(seed));
            st.bind(next + 1, size);
            return collect_ids(st);
        });
    }

    result<void> for_each_profile(const std::function<bool(const PartyProfile&)>& fn) override {
        return run<void>("for_each_profile", [&]() -> result<void> {
            CRM_TRY(st, c_.stmt("SELECT " CRM_PROFILE_COLS " FROM party_profile ORDER BY party_id"));
            for (;;) {
                CRM_TRY(row, st.step());
                if (!row) break;
                CRM_TRY(p, read_profile(st));
                if (!fn(p)) break;
            }
            return ok();
        });
    }

    result<std::vector<std::pair<Channel, Timestamp>>> last_interactions(const Id& party) override {
        using Out = std::vector<std::pair<Channel, Timestamp>>;
        return run<Out>("last_interactions", [&]() -> result<Out> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("SELECT channel, max(at) FROM interaction WHERE party_id = ?1 "
                                "GROUP BY channel"));
            st.bind(1, id);
            Out out;
            for (;;) {
                CRM_TRY(row, st.step());
                if (!row) break;
                CRM_TRY(c, stored_enum(parse_channel(st.text(0)), "channel"));
                out.emplace_back(c, Timestamp{st.i64(1)});
            }
            std::sort(out.begin(), out.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
            return out;
        });
    }

    result<std::vector<Id>> parties_by_email_domain(std::string_view domain) override {
        return run<std::vector<Id>>("parties_by_email_domain", [&]() -> result<std::vector<Id>> {
            const std::string suffix = "@" + std::string(domain);
            CRM_TRY(st, c_.stmt("SELECT DISTINCT party_id FROM contact_key WHERE kind = 'email' "
                                "AND length(value) > length(?1) "
                                "AND substr(value, -length(?1)) = ?1 ORDER BY party_id"));
            st.bind(1, suffix);
            return collect_ids(st);
        });
    }

    result<void> join_segment(std::string_view segment, const Id& party, Timestamp at) override {
        return run<void>("join_segment", [&]() -> result<void> {
            IdText id(party);
            {
                // Joining again at the very instant of joining before (a stay
                // that began and ended in one millisecond): that stay goes on.
                CRM_TRY(re, c_.stmt("UPDATE segment_membership SET left_at = NULL WHERE segment = ?1 "
                                    "AND party_id = ?2 AND joined_at = ?3 AND left_at IS NOT NULL"));
                re.bind(1, segment);
                re.bind(2, id);
                re.bind(3, at.ms);
                CRM_TRYV(re.exec());
                if (sqlite3_changes(c_.handle()) > 0) return ok();
            }
            CRM_TRY(st, c_.stmt("INSERT INTO segment_membership (segment, party_id, joined_at) "
                                "SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM "
                                "segment_membership WHERE segment = ?1 AND party_id = ?2 AND "
                                "left_at IS NULL)"));
            st.bind(1, segment);
            st.bind(2, id);
            st.bind(3, at.ms);
            return st.exec();
        });
    }

    result<void> leave_segment(std::string_view segment, const Id& party, Timestamp at) override {
        return run<void>("leave_segment", [&]() -> result<void> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("UPDATE segment_membership SET left_at = ?3 WHERE segment = ?1 "
                                "AND party_id = ?2 AND left_at IS NULL"));
            st.bind(1, segment);
            st.bind(2, id);
            st.bind(3, at.ms);
            return st.exec();
        });
    }

    result<std::vector<SegmentMembership>> segment_memberships(const Id& party,
                                                               bool with_history) override {
        using Out = std::vector<SegmentMembership>;
        return run<Out>("segment_memberships", [&]() -> result<Out> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("SELECT segment, party_id, joined_at, left_at FROM "
                                "segment_membership WHERE party_id = ?1 AND (?2 OR left_at IS NULL) "
                                "ORDER BY segment, joined_at"));
            st.bind(1, id);
            st.bind(2, with_history);
            return collect<SegmentMembership>(st, read_stay);
        });
    }

    result<std::vector<Id>> segment_members(std::string_view segment, const Id& after,
                                            int limit) override {
        return run<std::vector<Id>>("segment_members", [&]() -> result<std::vector<Id>> {
            CRM_TRYV(check_limit(limit));
            IdText from(after);
            CRM_TRY(st, c_.stmt("SELECT party_id FROM segment_membership INDEXED BY "
                                "segment_membership_open WHERE segment = ?1 AND party_id > ?2 AND "
                                "left_at IS NULL ORDER BY party_id LIMIT ?3"));
            st.bind(1, segment);
            if (after.is_nil()) st.bind(2, ""); else st.bind(2, from);
            st.bind(3, limit);
            return collect_ids(st);
        });
    }

    result<std::vector<SegmentMembership>> segment_history(std::string_view segment,
                                                           int limit) override {
        using Out = std::vector<SegmentMembership>;
        return run<Out>("segment_history", [&]() -> result<Out> {
            CRM_TRYV(check_limit(limit));
            CRM_TRY(st, c_.stmt("SELECT segment, party_id, joined_at, left_at FROM "
                                "segment_membership WHERE segment = ?1 ORDER BY "
                                "coalesce(left_at, joined_at) DESC, party_id DESC, joined_at DESC "
                                "LIMIT ?2"));
            st.bind(1, segment);
            st.bind(2, limit);
            return collect<SegmentMembership>(st, read_stay);
        });
    }

    result<bool> put_list_member(std::string_view list, const Id& party, Timestamp at) override {
        return run<bool>("put_list_member", [&]() -> result<bool> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("INSERT OR IGNORE INTO segment_list_member (list, party_id, "
                                "added_at) VALUES (?1, ?2, ?3)"));
            st.bind(1, list);
            st.bind(2, id);
            st.bind(3, at.ms);
            CRM_TRYV(st.exec());
            return sqlite3_changes(c_.handle()) > 0;
        });
    }

    result<bool> delete_list_member(std::string_view list, const Id& party) override {
        return run<bool>("delete_list_member", [&]() -> result<bool> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("DELETE FROM segment_list_member WHERE list = ?1 AND party_id = ?2"));
            st.bind(1, list);
            st.bind(2, id);
            CRM_TRYV(st.exec());
            return sqlite3_changes(c_.handle()) > 0;
        });
    }

    result<void> clear_list(std::string_view list) override {
        return run<void>("clear_list", [&]() -> result<void> {
            CRM_TRY(st, c_.stmt("DELETE FROM segment_list_member WHERE list = ?1"));
            st.bind(1, list);
            return st.exec();
        });
    }

    result<std::vector<Id>> list_members(std::string_view list, const Id& after, int limit) override {
        return run<std::vector<Id>>("list_members", [&]() -> result<std::vector<Id>> {
            CRM_TRYV(check_limit(limit));
            IdText from(after);
            CRM_TRY(st, c_.stmt("SELECT party_id FROM segment_list_member WHERE list = ?1 AND "
                                "party_id > ?2 ORDER BY party_id LIMIT ?3"));
            st.bind(1, list);
            if (after.is_nil()) st.bind(2, ""); else st.bind(2, from);
            st.bind(3, limit);
            return collect_ids(st);
        });
    }

    result<std::vector<std::string>> lists_of(const Id& party) override {
        using Out = std::vector<std::string>;
        return run<Out>("lists_of", [&]() -> result<Out> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("SELECT list FROM segment_list_member WHERE party_id = ?1 ORDER BY list"));
            st.bind(1, id);
            Out out;
            for (;;) {
                CRM_TRY(row, st.step());
                if (!row) break;
                out.push_back(st.str(0));
            }
            return out;
        });
    }

    result<bool> in_list(std::string_view list, const Id& party) override {
        return run<bool>("in_list", [&]() -> result<bool> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("SELECT 1 FROM segment_list_member WHERE list = ?1 AND party_id = ?2"));
            st.bind(1, list);
            st.bind(2, id);
            return st.step();
        });
    }

    result<bool> put_suppression(std::string_view list, const SuppressionEntry& e) override {
        return run<bool>("put_suppression", [&]() -> result<bool> {
            CRM_TRY(st, c_.stmt("INSERT OR IGNORE INTO suppression (list, kind, value, reason, "
                                "added_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
            st.bind(1, list);
            st.bind(2, to_string(e.kind));
            st.bind(3, e.value);
            st.bind(4, e.reason);
            st.bind(5, e.added_at.ms);
            CRM_TRYV(st.exec());
            return sqlite3_changes(c_.handle()) > 0;
        });
    }

    result<bool> delete_suppression(std::string_view list, SuppressionKind kind,
                                    std::string_view value) override {
        return run<bool>("delete_suppression", [&]() -> result<bool> {
            CRM_TRY(st, c_.stmt("DELETE FROM suppression WHERE list = ?1 AND kind = ?2 AND value = ?3"));
            st.bind(1, list);
            st.bind(2, to_string(kind));
            st.bind(3, value);
            CRM_TRYV(st.exec());
            return sqlite3_changes(c_.handle()) > 0;
        });
    }

    result<std::vector<SuppressionEntry>> suppressions(std::string_view list) override {
        using Out = std::vector<SuppressionEntry>;
        return run<Out>("suppressions", [&]() -> result<Out> {
            // By kind in declaration order, then value.
            CRM_TRY(st, c_.stmt("SELECT kind, value, reason, added_at FROM suppression WHERE "
                                "list = ?1 ORDER BY CASE kind WHEN 'party' THEN 0 WHEN 'email' "
                                "THEN 1 WHEN 'domain' THEN 2 ELSE 3 END, value"));
            st.bind(1, list);
            return collect<SuppressionEntry>(st, read_suppression);
        });
    }

    result<std::optional<SuppressionEntry>> suppression(std::string_view list, SuppressionKind kind,
                                                        std::string_view value) override {
        using Out = std::optional<SuppressionEntry>;
        return run<Out>("suppression", [&]() -> result<Out> {
            CRM_TRY(st, c_.stmt("SELECT kind, value, reason, added_at FROM suppression WHERE "
                                "list = ?1 AND kind = ?2 AND value = ?3"));
            st.bind(1, list);
            st.bind(2, to_string(kind));
            st.bind(3, value);
            CRM_TRY(row, st.step());
            if (!row) return Out{};
            CRM_TRY(e, read_suppression(st));
            return Out{std::move(e)};
        });
    }

    // ---- campaigns ---------------------------------------------------------

    result<void> put_campaign(const Campaign& c) override {
        return run<void>("put_campaign", [&]() -> result<void> {
            IdText id(c.id), parent(c.parent);
            const std::string body = marketing::stored_json(c).dump();
            CRM_TRY(st, c_.stmt("INSERT OR REPLACE INTO campaign (id, external_id, parent, state, "
                                "status, updated_at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
            st.bind(1, id);
            st.bind_or_null(2, c.external_id);
            if (c.parent.is_nil()) st.bind_null(3); else st.bind(3, parent);
            st.bind(4, c.state);
            st.bind(5, c.status);
            st.bind(6, c.updated_at.ms);
            st.bind(7, body);
            return st.exec();
        });
    }

    result<std::optional<Campaign>> get_campaign(const Id& id) override {
        using Out = std::optional<Campaign>;
        return run<Out>("get_campaign", [&]() -> result<Out> {
            IdText key(id);
            CRM_TRY(st, c_.stmt("SELECT body FROM campaign WHERE id = ?1"));
            st.bind(1, key);
            CRM_TRY(row, st.step());
            if (!row) return Out{};
            CRM_TRY(c, read_campaign(st));
            return Out{std::move(c)};
        });
    }

    result<Id> campaign_by_external_id(std::string_view ext) override {
        return run<Id>("campaign_by_external_id", [&]() -> result<Id> {
            CRM_TRY(st, c_.stmt("SELECT id FROM campaign WHERE external_id = ?1"));
            st.bind(1, ext);
            CRM_TRY(row, st.step());
            if (!row) return Id{};
            return st.id(0);
        });
    }

    result<std::vector<Campaign>> campaigns(const Id& after, int limit) override {
        using Out = std::vector<Campaign>;
        return run<Out>("campaigns", [&]() -> result<Out> {
            CRM_TRYV(check_limit(limit));
            IdText from(after);
            CRM_TRY(st, c_.stmt("SELECT body FROM campaign WHERE id > ?1 ORDER BY id LIMIT ?2"));
            if (after.is_nil()) st.bind(1, ""); else st.bind(1, from);
            st.bind(2, limit);
            return collect<Campaign>(st, read_campaign);
        });
    }

    result<std::vector<Id>> campaign_children(const Id& parent) override {
        return run<std::vector<Id>>("campaign_children", [&]() -> result<std::vector<Id>> {
            IdText key(parent);
            CRM_TRY(st, c_.stmt("SELECT id FROM campaign WHERE parent = ?1 ORDER BY id"));
            st.bind(1, key);
            return collect_ids(st);
        });
    }

    result<void> put_campaign_member(const CampaignMember& m) override {
        return run<void>("put_campaign_member", [&]() -> result<void> {
            IdText campaign(m.campaign), party(m.party);
            CRM_TRY(st, c_.stmt("INSERT OR REPLACE INTO campaign_member (" CRM_MEMBER_COLS ") VALUES "
                                "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"));
            st.bind(1, campaign);
            st.bind(2, party);
            st.bind(3, m.variant);
            st.bind(4, m.channel);
            st.bind(5, m.address);
            for (int i = 0; i < kMemberStatusCount; ++i) {
                const auto& t = m.at[static_cast<std::size_t>(i)];
                if (t) st.bind(6 + i, t->ms); else st.bind_null(6 + i);
            }
            st.bind(14, m.batch);
            if (m.dispatched_at) st.bind(15, m.dispatched_at->ms); else st.bind_null(15);
            return st.exec();
        });
    }

    result<std::optional<CampaignMember>> get_campaign_member(const Id& campaign,
                                                              const Id& party) override {
        using Out = std::optional<CampaignMember>;
        return run<Out>("get_campaign_member", [&]() -> result<Out> {
            IdText c(campaign), p(party);
            CRM_TRY(st, c_.stmt("SELECT " CRM_MEMBER_COLS " FROM campaign_member WHERE campaign = ?1 "
                                "AND party_id = ?2"));
            st.bind(1, c);
            st.bind(2, p);
            CRM_TRY(row, st.step());
            if (!row) return Out{};
            CRM_TRY(m, read_member(st));
            return Out{std::move(m)};
        });
    }

    result<std::vector<CampaignMember>> campaign_members(const Id& campaign, const Id& after,
                                                         int limit) override {
        using Out = std::vector<CampaignMember>;
        return run<Out>("campaign_members", [&]() -> result<Out> {
            CRM_TRYV(check_limit(limit));
            IdText c(campaign), from(after);
            CRM_TRY(st, c_.stmt("SELECT " CRM_MEMBER_COLS " FROM campaign_member WHERE campaign = ?1 "
                                "AND party_id > ?2 ORDER BY party_id LIMIT ?3"));
            st.bind(1, c);
            if (after.is_nil()) st.bind(2, ""); else st.bind(2, from);
            st.bind(3, limit);
            return collect<CampaignMember>(st, read_member);
        });
    }

    result<std::vector<CampaignMember>> campaign_members_of(const Id& party) override {
        using Out = std::vector<CampaignMember>;
        return run<Out>("campaign_members_of", [&]() -> result<Out> {
            IdText p(party);
            CRM_TRY(st, c_.stmt("SELECT " CRM_MEMBER_COLS " FROM campaign_member WHERE party_id = ?1 "
                                "ORDER BY campaign"));
            st.bind(1, p);
            return collect<CampaignMember>(st, read_member);
        });
    }

    result<std::int64_t> recent_campaign_sends(const Id& party, Timestamp since) override {
        return run<std::int64_t>("recent_campaign_sends", [&]() -> result<std::int64_t> {
            IdText p(party);
            CRM_TRY(st, c_.stmt("SELECT count(*) FROM campaign_member WHERE party_id = ?1 AND "
                                "(dispatched_at >= ?2 OR s_sent >= ?2)"));
            st.bind(1, p);
            st.bind(2, since.ms);
            CRM_TRY(row, st.step());
            return row ? st.i64(0) : 0;
        });
    }

    result<std::vector<std::pair<std::string, Id>>> undispatched_members(const Id& campaign) override {
        using Out = std::vector<std::pair<std::string, Id>>;
        return run<Out>("undispatched_members", [&]() -> result<Out> {
            IdText c(campaign);
            CRM_TRY(st, c_.stmt("SELECT channel, party_id FROM campaign_member INDEXED BY "
                                "campaign_member_batch WHERE campaign = ?1 AND batch = 0 "
                                "ORDER BY channel, party_id"));
            st.bind(1, c);
            Out out;
            for (;;) {
                CRM_TRY(row, st.step());
                if (!row) break;
                CRM_TRY(id, st.id(1));
                out.emplace_back(st.str(0), id);
            }
            return out;
        });
    }

    result<void> dispatch_members(const Id& campaign, std::string_view channel, const Id& after,
                                  const Id& last, std::int64_t batch, Timestamp at) override {
        return run<void>("dispatch_members", [&]() -> result<void> {
            IdText c(campaign), from(after), to(last);
            CRM_TRY(st, c_.stmt("UPDATE campaign_member SET batch = ?5, dispatched_at = ?6 WHERE "
                                "campaign = ?1 AND batch = 0 AND channel = ?2 AND party_id > ?3 AND "
                                "party_id <= ?4"));
            st.bind(1, c);
            st.bind(2, channel);
            if (after.is_nil()) st.bind(3, ""); else st.bind(3, from);
            st.bind(4, to);
            st.bind(5, batch);
            st.bind(6, at.ms);
            return st.exec();
        });
    }

    result<std::vector<CampaignMember>> undispatched_in_range(const Id& campaign, std::string_view channel,
                                                              const Id& after, const Id& last) override {
        using Out = std::vector<CampaignMember>;
        return run<Out>("undispatched_in_range", [&]() -> result<Out> {
            IdText c(campaign), from(after), to(last);
            CRM_TRY(st, c_.stmt("SELECT " CRM_MEMBER_COLS " FROM campaign_member WHERE campaign = ?1 "
                                "AND batch = 0 AND channel = ?2 AND party_id > ?3 AND party_id <= ?4 "
                                "ORDER BY party_id"));
            st.bind(1, c);
            st.bind(2, channel);
            if (after.is_nil()) st.bind(3, ""); else st.bind(3, from);
            st.bind(4, to);
            return collect<CampaignMember>(st, read_member);
        });
    }

    result<std::vector<CampaignMember>> batch_members(const Id& campaign, std::int64_t batch) override {
        using Out = std::vector<CampaignMember>;
        return run<Out>("batch_members", [&]() -> result<Out> {
            IdText c(campaign);
            CRM_TRY(st, c_.stmt("SELECT " CRM_MEMBER_COLS " FROM campaign_member WHERE campaign = ?1 "
                                "AND batch = ?2 ORDER BY party_id"));
            st.bind(1, c);
            st.bind(2, batch);
            return collect<CampaignMember>(st, read_member);
        });
    }

    result<void> put_delivery_plan(const Id& campaign, int number, Timestamp at,
                                   std::string_view body) override {
        return run<void>("put_delivery_plan", [&]() -> result<void> {
            IdText c(campaign);
            CRM_TRY(st, c_.stmt("INSERT OR REPLACE INTO delivery_plan (campaign, number, created_at, "
                                "body) VALUES (?1, ?2, ?3, ?4)"));
            st.bind(1, c);
            st.bind(2, number);
            st.bind(3, at.ms);
            st.bind(4, body);
            return st.exec();
        });
    }

    result<std::optional<std::pair<int, std::string>>> get_delivery_plan(const Id& campaign,
                                                                         int number) override {
        using Out = std::optional<std::pair<int, std::string>>;
        return run<Out>("get_delivery_plan", [&]() -> result<Out> {
            IdText c(campaign);
            CRM_TRY(st, c_.stmt("SELECT number, body FROM delivery_plan WHERE campaign = ?1 AND "
                                "(?2 = 0 OR number = ?2) ORDER BY number DESC LIMIT 1"));
            st.bind(1, c);
            st.bind(2, number);
            CRM_TRY(row, st.step());
            if (!row) return Out{};
            return Out{std::make_pair(static_cast<int>(st.i64(0)), st.str(1))};
        });
    }

    result<std::vector<Opportunity>> opportunities_of_campaign(const std::vector<std::string>& keys) override {
        using Out = std::vector<Opportunity>;
        return run<Out>("opportunities_of_campaign", [&]() -> result<Out> {
            Out out;
            for (const auto& key : keys) {
                if (key.empty()) continue;
                CRM_TRY(st, c_.stmt("SELECT id FROM opportunity WHERE json_extract(body, '$.campaign') = ?1 "
                                    "ORDER BY id"));
                st.bind(1, key);
                CRM_TRY(ids, collect_ids(st));
                for (const auto& id : ids) {
                    CRM_TRY(o, get_opportunity(id));
                    if (o) out.push_back(std::move(*o));
                }
            }
            return out;
        });
    }

    result<std::vector<Lead>> leads_of_campaign(const std::vector<std::string>& keys) override {
        using Out = std::vector<Lead>;
        return run<Out>("leads_of_campaign", [&]() -> result<Out> {
            Out out;
            for (const auto& key : keys) {
                if (key.empty()) continue;
                CRM_TRY(st, c_.stmt("SELECT id FROM lead WHERE json_extract(body, '$.campaign') = ?1 "
                                    "ORDER BY id"));
                st.bind(1, key);
                CRM_TRY(ids, collect_ids(st));
                for (const auto& id : ids) {
                    CRM_TRY(l, get_lead(id));
                    if (l) out.push_back(std::move(*l));
                }
            }
            return out;
        });
    }

    // ---- loyalty -----------------------------------------------------------

    result<void> put_loyalty_account(const LoyaltyAccount& a) override {
        return run<void>("put_loyalty_account", [&]() -> result<void> {
            IdText id(a.party);
            CRM_TRY(st, c_.stmt("INSERT OR REPLACE INTO loyalty_account (program, party_id, tier, "
                                "tier_since, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
            st.bind(1, a.program);
            st.bind(2, id);
            st.bind(3, a.tier);
            st.bind(4, a.tier_since.ms);
            st.bind(5, a.enrolled_at.ms);
            return st.exec();
        });
    }

    result<std::optional<LoyaltyAccount>> get_loyalty_account(std::string_view program,
                                                              const Id& party) override {
        using Out = std::optional<LoyaltyAccount>;
        return run<Out>("get_loyalty_account", [&]() -> result<Out> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("SELECT program, party_id, tier, tier_since, enrolled_at FROM "
                                "loyalty_account WHERE program = ?1 AND party_id = ?2"));
            st.bind(1, program);
            st.bind(2, id);
            CRM_TRY(row, st.step());
            if (!row) return Out{};
            CRM_TRY(a, read_account(st));
            return Out{std::move(a)};
        });
    }

    result<std::vector<LoyaltyAccount>> loyalty_accounts_of(const Id& party) override {
        using Out = std::vector<LoyaltyAccount>;
        return run<Out>("loyalty_accounts_of", [&]() -> result<Out> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("SELECT program, party_id, tier, tier_since, enrolled_at FROM "
                                "loyalty_account WHERE party_id = ?1 ORDER BY program"));
            st.bind(1, id);
            return collect<LoyaltyAccount>(st, read_account);
        });
    }

    result<std::vector<LoyaltyAccount>> loyalty_accounts(std::string_view program, const Id& after,
                                                         int limit) override {
        using Out = std::vector<LoyaltyAccount>;
        return run<Out>("loyalty_accounts", [&]() -> result<Out> {
            CRM_TRYV(check_limit(limit));
            IdText from(after);
            CRM_TRY(st, c_.stmt("SELECT program, party_id, tier, tier_since, enrolled_at FROM "
                                "loyalty_account WHERE program = ?1 AND party_id > ?2 "
                                "ORDER BY party_id LIMIT ?3"));
            st.bind(1, program);
            if (after.is_nil()) st.bind(2, ""); else st.bind(2, from);
            st.bind(3, limit);
            return collect<LoyaltyAccount>(st, read_account);
        });
    }

    result<void> append_ledger(LedgerEntry& e) override {
        return run<void>("append_ledger", [&]() -> result<void> {
            IdText id(e.party);
            CRM_TRY(st, c_.stmt("INSERT INTO loyalty_ledger (program, party_id, kind, points, at, "
                                "key, order_id, amount_minor, reason, expires_at, remaining) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
            st.bind(1, e.program);
            st.bind(2, id);
            st.bind(3, to_string(e.kind));
            st.bind(4, e.points);
            st.bind(5, e.at.ms);
            st.bind(6, e.key);
            st.bind(7, e.order_id);
            st.bind(8, e.amount_minor);
            st.bind(9, e.reason);
            if (e.expires_at) st.bind(10, e.expires_at->ms); else st.bind_null(10);
            st.bind(11, e.remaining);
            auto done = st.exec();
            if (!done) {
                if (done.error().code == errc::conflict)
                    return fail(errc::conflict, "ledger key '" + e.key + "' is taken", "key");
                return done;
            }
            e.seq = sqlite3_last_insert_rowid(c_.handle());
            return ok();
        });
    }

    result<std::optional<LedgerEntry>> ledger_by_key(std::string_view program,
                                                     std::string_view key) override {
        using Out = std::optional<LedgerEntry>;
        return run<Out>("ledger_by_key", [&]() -> result<Out> {
            CRM_TRY(st, c_.stmt("SELECT " CRM_LEDGER_COLS " FROM loyalty_ledger WHERE program = ?1 "
                                "AND key = ?2"));
            st.bind(1, program);
            st.bind(2, key);
            CRM_TRY(row, st.step());
            if (!row) return Out{};
            CRM_TRY(e, read_ledger(st));
            return Out{std::move(e)};
        });
    }

    result<std::vector<LedgerEntry>> ledger_of(std::string_view program, const Id& party,
                                               int limit) override {
        using Out = std::vector<LedgerEntry>;
        return run<Out>("ledger_of", [&]() -> result<Out> {
            CRM_TRYV(check_limit(limit));
            IdText id(party);
            CRM_TRY(st, c_.stmt("SELECT " CRM_LEDGER_COLS " FROM loyalty_ledger WHERE program = ?1 "
                                "AND party_id = ?2 ORDER BY seq DESC LIMIT ?3"));
            st.bind(1, program);
            st.bind(2, id);
            st.bind(3, limit);
            return collect<LedgerEntry>(st, read_ledger);
        });
    }

    result<std::int64_t> loyalty_balance(std::string_view program, const Id& party) override {
        return run<std::int64_t>("loyalty_balance", [&]() -> result<std::int64_t> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("SELECT coalesce(sum(points), 0) FROM loyalty_ledger WHERE "
                                "program = ?1 AND party_id = ?2"));
            st.bind(1, program);
            st.bind(2, id);
            CRM_TRY(row, st.step());
            return row ? st.i64(0) : 0;
        });
    }

    result<std::vector<LedgerEntry>> open_lots(std::string_view program, const Id& party) override {
        using Out = std::vector<LedgerEntry>;
        return run<Out>("open_lots", [&]() -> result<Out> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("SELECT " CRM_LEDGER_COLS " FROM loyalty_ledger WHERE program = ?1 "
                                "AND party_id = ?2 AND remaining > 0 "
                                "ORDER BY expires_at IS NULL, expires_at, seq"));
            st.bind(1, program);
            st.bind(2, id);
            return collect<LedgerEntry>(st, read_ledger);
        });
    }

    result<void> set_lot_remaining(std::int64_t seq, std::int64_t remaining) override {
        return run<void>("set_lot_remaining", [&]() -> result<void> {
            CRM_TRY(st, c_.stmt("UPDATE loyalty_ledger SET remaining = ?2 WHERE seq = ?1"));
            st.bind(1, seq);
            st.bind(2, remaining);
            return st.exec();
        });
    }

    result<std::vector<LedgerEntry>> expired_lots(std::string_view program, Timestamp until,
                                                  int limit) override {
        using Out = std::vector<LedgerEntry>;
        return run<Out>("expired_lots", [&]() -> result<Out> {
            CRM_TRYV(check_limit(limit));
            CRM_TRY(st, c_.stmt("SELECT " CRM_LEDGER_COLS " FROM loyalty_ledger WHERE program = ?1 "
                                "AND remaining > 0 AND expires_at <= ?2 ORDER BY expires_at, seq "
                                "LIMIT ?3"));
            st.bind(1, program);
            st.bind(2, until.ms);
            st.bind(3, limit);
            return collect<LedgerEntry>(st, read_ledger);
        });
    }

    result<OrderTotals> order_totals(std::string_view program, const Id& party,
                                     std::string_view order_id) override {
        return run<OrderTotals>("order_totals", [&]() -> result<OrderTotals> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("SELECT coalesce(sum(points), 0), coalesce(sum(amount_minor), 0), "
                                "count(*) FROM loyalty_ledger WHERE program = ?1 AND party_id = ?2 "
                                "AND order_id = ?3 AND kind IN ('earn', 'adjust')"));
            st.bind(1, program);
            st.bind(2, id);
            st.bind(3, order_id);
            CRM_TRY(row, st.step());
            if (!row) return OrderTotals{};
            return OrderTotals{st.i64(0), st.i64(1), st.i64(2)};
        });
    }

    result<std::pair<std::int64_t, std::int64_t>> loyalty_qualifying(std::string_view program,
                                                                     const Id& party,
                                                                     Timestamp since) override {
        using Out = std::pair<std::int64_t, std::int64_t>;
        return run<Out>("loyalty_qualifying", [&]() -> result<Out> {
            IdText id(party);
            CRM_TRY(st, c_.stmt("SELECT coalesce(sum(points), 0), coalesce(sum(amount_minor), 0) "
                                "FROM loyalty_ledger WHERE program = ?1 AND party_id = ?2 AND "
                                "kind IN ('earn', 'adjust') AND order_id <> '' AND at >= ?3"));
            st.bind(1, program);
            st.bind(2, id);
            st.bind(3, since.ms);
            CRM_TRY(row, st.step());
            if (!row) return Out{0, 0};
            return Out{st.i64(0), st.i64(1)};
        });
    }

    result<void> put_comment(const TicketComment& c) override {
        return run<void>("put_comment", [&]() -> result<void> {
            IdText id(c.id), ticket(c.ticket);
            const std::string body = codec::to_json(c).dump();
            CRM_TRY(st, c_.stmt("INSERT INTO ticket_comment (id, ticket_id, is_public, body) "
                                "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO UPDATE SET "
                                "is_public = excluded.is_public, body = excluded.body"));
            st.bind(1, id);
            st.bind(2, ticket);
            st.bind(3, c.is_public ? 1 : 0);
            st.bind(4, body);
            return st.exec();
        });
    }

    result<std::vector<TicketComment>> comments_of(const Id& ticket,
                                                   bool include_internal) override {
        return run<std::vector<TicketComment>>("comments_of", [&] {
            return include_internal
                       ? bodies_by_id<TicketComment>(
                             "SELECT body FROM ticket_comment WHERE ticket_id = ?1 ORDER BY id",
                             ticket)
                       : bodies_by_id<TicketComment>(
                             "SELECT body FROM ticket_comment WHERE ticket_id = ?1 "
                             "AND is_public = 1 ORDER BY id",
                             ticket);
        });
    }

    // ---- history -----------------------------------------------------------

    result<void> append_history(HistoryEntry& e) override {
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
            CRM_TRYV(st.exec());
            e.seq = sqlite3_last_insert_rowid(c_.handle());
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

    result<std::vector<HistoryEntry>> history_of(std::string_view record_type,
                                                 const Id& id) override {
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

    result<std::vector<HistoryEntry>> history_as_of(std::string_view record_type,
                                                    std::string_view process,
                                                    Timestamp at) override {
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

    result<std::vector<ForecastCell>> forecast_cells(const ForecastScope& scope) override {
        return run<std::vector<ForecastCell>>(
            "forecast_cells", [&]() -> result<std::vector<ForecastCell>> {
                // One statement per group column (a fixed list, never
                // input), built once: the statement cache is keyed by the
                // text's address, which must therefore stay put.
                static const std::array<std::string, 3> kSql = [] {
                    std::array<std::string, 3> out;
                    const char* groups[] = {"owner", "team", "pipeline"};
                    for (int g = 0; g < 3; ++g) {
                        const std::string filters =
                            " AND (?1 = '' OR pipeline = ?1) AND (?2 = '' OR owner = ?2) "
                            "AND (?3 = '' OR team = ?3)";
                        const std::string cols =
                            std::string("SELECT ") + groups[g] +
                            ", currency, status, forecast_category, count(*), "
                            "coalesce(sum(amount_minor), 0), "
                            "coalesce(sum(amount_minor * probability / 100), 0), "
                            "sum(revenue_minor) FROM opportunity ";
                        out[static_cast<std::size_t>(g)] =
                            cols + "WHERE status = 'open' AND expected_close >= ?4 "
                                   "AND expected_close < ?5" +
                            filters + " GROUP BY 1, 2, 3, 4 UNION ALL " + cols +
                            "WHERE closed_at >= ?6 AND closed_at < ?7 AND status <> 'open'" +
                            filters + " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4";
                    }
                    return out;
                }();
                const std::size_t group = scope.group_by == ForecastGroup::owner  ? 0
                                          : scope.group_by == ForecastGroup::team ? 1
                                                                                  : 2;
                CRM_TRY(st, c_.stmt(kSql[group].c_str()));
                st.bind(1, scope.pipeline);
                st.bind(2, scope.owner);
                st.bind(3, scope.team);
                st.bind(4, scope.from_date);
                st.bind(5, scope.to_date);
                st.bind(6, scope.from.ms);
                st.bind(7, scope.to.ms);
                return collect<ForecastCell>(st, [](Stmt& s) -> result<ForecastCell> {
                    return ForecastCell{s.str(0),  s.str(1),  s.str(2),  s.str(3),
                                        s.i64(4),  s.i64(5),  s.i64(6),  s.i64(7)};
                });
            });
    }

    result<std::vector<StageDuration>> stage_durations(const ForecastScope& scope) override {
        return run<std::vector<StageDuration>>(
            "stage_durations", [&]() -> result<std::vector<StageDuration>> {
                // Bounds on quarter hours read the sums kept by bucket;
                // others (and negative instants) the history rows.
                const bool buckets = scope.from.ms >= 0 && scope.to.ms >= 0 &&
                                     scope.from.ms % kStageBucketMs == 0 &&
                                     scope.to.ms % kStageBucketMs == 0;
                CRM_TRY(st, c_.stmt(
                    buckets ? "SELECT process, stage, sum(moves), "
                              "sum(total_ms) / CAST(sum(moves) AS REAL) / 86400000.0 "
                              "FROM stage_time WHERE record_type = 'opportunity' "
                              "AND bucket >= ?1 AND bucket < ?2 AND (?3 = '' OR process = ?3) "
                              "GROUP BY process, stage ORDER BY process, stage"
                            : "SELECT process, from_state, count(*), "
                              "avg(duration_ms) / 86400000.0 FROM history "
                              "WHERE record_type = 'opportunity' AND at >= ?1 AND at < ?2 "
                              "AND from_state <> '' AND from_state <> to_state "
                              "AND (?3 = '' OR process = ?3) "
                              "GROUP BY process, from_state ORDER BY process, from_state"));
                st.bind(1, buckets ? scope.from.ms / kStageBucketMs : scope.from.ms);
                st.bind(2, buckets ? scope.to.ms / kStageBucketMs : scope.to.ms);
                st.bind(3, scope.pipeline);
                return collect<StageDuration>(st, [](Stmt& s) -> result<StageDuration> {
                    return StageDuration{s.str(0), s.str(1), s.i64(2),
                                         s.f64(3)};
                });
            });
    }

    // ---- audit and outbox ------------------------------------------------

    result<void> append_audit(AuditEntry& e) override {
        return run<void>("append_audit", [&]() -> result<void> {
            IdText rid(e.record_id);
            std::string changes = encode_changes(e.changes);
            CRM_TRY(st, c_.stmt("INSERT INTO audit (at, actor, source, record_type, record_id, "
                                "action, changes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
            st.bind(1, e.at.ms);
            st.bind(2, e.actor);
            st.bind(3, e.source);
            st.bind(4, e.record_type);
            st.bind(5, rid);
            st.bind(6, e.action);
            st.bind(7, changes);
            CRM_TRYV(st.exec());
            e.seq = sqlite3_last_insert_rowid(c_.handle());
            return ok();
        });
    }

    result<std::vector<AuditEntry>> audit_of(const Id& record, int limit) override {
        return run<std::vector<AuditEntry>>("audit_of", [&]() -> result<std::vector<AuditEntry>> {
            CRM_TRYV(check_limit(limit));
            IdText rid(record);
            // Newest first: a limited trail shows the latest changes.
            CRM_TRY(st, c_.stmt("SELECT " CRM_AUDIT_COLS " FROM audit WHERE record_id = ?1 "
                                "ORDER BY seq DESC LIMIT ?2"));
            st.bind(1, rid);
            st.bind(2, limit);
            return collect<AuditEntry>(st, read_audit);
        });
    }

    result<void> append_event(Event& e) override {
        return run<void>("append_event", [&]() -> result<void> {
            IdText rid(e.record_id);
            CRM_TRY(st, c_.stmt("INSERT INTO event (at, type, record_type, record_id, payload) "
                                "VALUES (?1, ?2, ?3, ?4, ?5)"));
            st.bind(1, e.at.ms);
            st.bind(2, e.type);
            st.bind(3, e.record_type);
            st.bind(4, rid);
            st.bind(5, e.payload.empty() ? std::string_view("{}") : std::string_view(e.payload));
            CRM_TRYV(st.exec());
            e.seq = sqlite3_last_insert_rowid(c_.handle());
            return ok();
        });
    }

    result<std::vector<Event>> events_after(std::int64_t cursor, int limit) override {
        return run<std::vector<Event>>("events_after", [&]() -> result<std::vector<Event>> {
            CRM_TRYV(check_limit(limit));
            CRM_TRY(st, c_.stmt("SELECT " CRM_EVENT_COLS
                                " FROM event WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
            st.bind(1, cursor);
            st.bind(2, limit);
            return collect<Event>(st, read_event);
        });
    }

    result<void> set_cursor(std::string_view consumer, std::int64_t cursor) override {
        return run<void>("set_cursor", [&]() -> result<void> {
            CRM_TRY(st, c_.stmt("INSERT INTO consumer (name, cursor) VALUES (?1, ?2) "
                                "ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor"));
            st.bind(1, consumer);
            st.bind(2, cursor);
            return st.exec();
        });
    }

    result<std::int64_t> cursor(std::string_view consumer) override {
        return run<std::int64_t>("cursor", [&]() -> result<std::int64_t> {
            CRM_TRY(st, c_.stmt("SELECT cursor FROM consumer WHERE name = ?1"));
            st.bind(1, consumer);
            CRM_TRY(row, st.step());
            return row ? st.i64(0) : std::int64_t{0};
        });
    }

private:
    // Every public method runs through here: no exception leaves it, a
    // finished transaction refuses work, and a failure after which SQLite
    // rolled the whole transaction back itself (I/O error, disk full) ends
    // this transaction too, so later calls do not run outside of one.
    template <class T, class F>
    result<T> run(const char* what, F&& body) {
        if (done_) return ended();
        try {
            result<T> r = body();
            if (!r) return lost(std::move(r));
            return r;
        } catch (...) {
            return exception(what);
        }
    }

    template <class T>
    result<T> lost(result<T> r) {
        if (!done_ && sqlite3_get_autocommit(c_.handle())) {
            shared_->forget_versions();
            finish();
            r.error().message += " (SQLite rolled the transaction back)";
        }
        return r;
    }

    error ended() const {
        return fail(errc::internal, "the transaction has already been committed or rolled back");
    }

    error exception(const char* what) {
        try {
            throw;
        } catch (const std::bad_alloc&) {
            return fail(errc::storage, std::string("sqlite: ") + what + ": out of memory");
        } catch (const std::exception& e) {
            return fail(errc::storage, std::string("sqlite: ") + what + ": " + e.what());
        } catch (...) {
            return fail(errc::storage, std::string("sqlite: ") + what + ": unknown exception");
        }
    }

    void finish() {
        done_ = true;
        depth_ = 0;
        shared_->release();
    }

    // Records kept as a JSON body (opportunities, leads): the bodies a
    // statement with one id parameter selects, the first of them, and the
    // id a statement with one text parameter selects.
    template <class T>
    result<std::vector<T>> bodies_by_id(const char* sql, const Id& id) {
        IdText key(id);
        CRM_TRY(st, c_.stmt(sql));
        st.bind(1, key);
        return collect<T>(st, read_body<T>);
    }
    template <class T>
    result<std::optional<T>> body_by_id(const char* sql, const Id& id) {
        CRM_TRY(rows, bodies_by_id<T>(sql, id));
        if (rows.empty()) return std::optional<T>{};
        return std::optional<T>{std::move(rows.front())};
    }
    result<Id> id_by_key(const char* sql, std::string_view key) {
        CRM_TRY(st, c_.stmt(sql));
        st.bind(1, key);
        CRM_TRY(ids, collect_ids(st));
        return ids.empty() ? Id{} : ids.front();
    }

    // Runs a multi-statement write under its own savepoint, so that a
    // failure half-way leaves nothing behind. The hot single-record writes
    // (put_party, a new purchase) do not need it: their one failure that is
    // not fatal to the transaction (a UNIQUE conflict) comes from their
    // first write, before anything else is written.
    template <class F>
    result<void> atomically(F&& body) {
        {
            CRM_TRY(st, c_.stmt("SAVEPOINT crm_op"));
            CRM_TRYV(st.exec());
        }
        auto r = body();
        if (!r) {
            if (!sqlite3_get_autocommit(c_.handle())) {
                if (auto st = c_.stmt("ROLLBACK TO crm_op")) (void)st.value().exec();
                if (auto st = c_.stmt("RELEASE crm_op")) (void)st.value().exec();
            }
            return r;
        }
        CRM_TRY(st, c_.stmt("RELEASE crm_op"));
        return st.exec();
    }

    // Binds the party columns ?1..?19 shared by the insert and the update.
    struct PartyText {
        IdText id;
        std::optional<IdText> merged;
        std::string tags, custom, contacts;
    };

    static void bind_party(Stmt& st, const Party& p, const PartyText& t, std::string_view key) {
        st.bind(1, t.id);
        st.bind(2, to_string(p.kind));
        st.bind_or_null(3, p.external_id);
        st.bind(4, p.first_name);
        st.bind(5, p.last_name);
        st.bind(6, p.organization_name);
        st.bind_or_null(7, p.national_id);
        st.bind(8, p.lifecycle_stage);
        st.bind(9, p.owner);
        st.bind(10, p.city);
        st.bind(11, p.country);
        st.bind(12, t.tags);
        st.bind(13, t.custom);
        st.bind(14, p.created_at.ms);
        st.bind(15, p.updated_at.ms);
        st.bind(16, p.version);
        if (t.merged) st.bind(17, *t.merged); else st.bind_null(17);
        st.bind(18, t.contacts);
        st.bind(19, key);
    }

    result<void> put_party_impl(const Party& p, std::string_view name_key) {
        PartyText t{IdText(p.id), std::nullopt, encode_strings(p.tags), encode_custom(p.custom),
                    encode_contacts(p.contacts)};
        if (!p.merged_into.is_nil()) t.merged.emplace(p.merged_into);
        // The insert is tried first: in a bulk import most parties are new,
        // and then there are no old tags or contact keys to reconcile. DO
        // NOTHING applies to the id only; a taken external_id still fails.
        {
            CRM_TRY(st, c_.stmt("INSERT INTO party (" CRM_PARTY_COLS ", name_key) VALUES "
                                "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                                "?15, ?16, ?17, ?18, ?19) ON CONFLICT (id) DO NOTHING"));
            bind_party(st, p, t, name_key);
            CRM_TRYV(st.exec());
        }
        // Tags and contact keys index live parties only, like the other
        // lookups: a merged-away party has none.
        const bool live = !t.merged;
        if (sqlite3_changes(c_.handle()) > 0) {
            if (!live) return ok();
            for (const std::string& tag : p.tags) CRM_TRYV(add_tag(t.id, tag));
            for (const ContactPoint& c : p.contacts)
                CRM_TRYV(
                    add_contact_key(t.id, to_string(c.kind), contact_index_key(c.kind, c.value)));
            return ok();
        }
        // An update: the old row says which index rows go.
        std::string old_tags, old_contacts;
        bool was_live = true;
        {
            CRM_TRY(st, c_.stmt("SELECT tags, contacts, merged_into IS NULL FROM party "
                                "WHERE id = ?1"));
            st.bind(1, t.id);
            CRM_TRY(row, st.step());
            if (!row) return fail(errc::internal, "party vanished during put_party");
            old_tags = st.str(0);
            old_contacts = st.str(1);
            was_live = st.i64(2) != 0;
        }
        {
            CRM_TRY(st, c_.stmt("UPDATE party SET kind = ?2, external_id = ?3, "
                                "first_name = ?4, last_name = ?5, organization_name = ?6, "
                                "national_id = ?7, lifecycle_stage = ?8, owner = ?9, city = ?10, "
                                "country = ?11, tags = ?12, custom = ?13, created_at = ?14, "
                                "updated_at = ?15, version = ?16, merged_into = ?17, "
                                "contacts = ?18, name_key = ?19 WHERE id = ?1"));
            bind_party(st, p, t, name_key);
            CRM_TRYV(st.exec());
        }
        if (was_live != live || old_tags != t.tags) {
            std::vector<std::string> old;
            if (was_live) {
                CRM_TRY(o, decode_strings(old_tags, "party.tags"));
                old = std::move(o);
            }
            const std::vector<std::string> none;
            const std::vector<std::string>& now = live ? p.tags : none;
            for (const std::string& tag : old)
                if (std::find(now.begin(), now.end(), tag) == now.end())
                    CRM_TRYV(drop_tag(t.id, tag));
            for (const std::string& tag : now)
                if (std::find(old.begin(), old.end(), tag) == old.end())
                    CRM_TRYV(add_tag(t.id, tag));
        }
        if (was_live != live || old_contacts != t.contacts) {
            using Key = std::pair<std::string, std::string>;
            std::vector<Key> old, now;
            if (was_live) {
                CRM_TRY(o, contact_keys(old_contacts, "party.contacts"));
                old = std::move(o);
            }
            if (live)
                for (const ContactPoint& c : p.contacts)
                    now.emplace_back(to_string(c.kind), contact_index_key(c.kind, c.value));
            for (const Key& k : old)
                if (std::find(now.begin(), now.end(), k) == now.end())
                    CRM_TRYV(drop_contact_key(t.id, k.first, k.second));
            for (const Key& k : now)
                if (std::find(old.begin(), old.end(), k) == old.end())
                    CRM_TRYV(add_contact_key(t.id, k.first, k.second));
        }
        return ok();
    }

    // OR IGNORE: a list may name the same tag or contact twice.
    result<void> add_tag(const IdText& pid, std::string_view tag) {
        CRM_TRY(st, c_.stmt("INSERT OR IGNORE INTO party_tag (tag, party_id) VALUES (?1, ?2)"));
        st.bind(1, tag);
        st.bind(2, pid);
        return st.exec();
    }

    result<void> drop_tag(const IdText& pid, std::string_view tag) {
        CRM_TRY(st, c_.stmt("DELETE FROM party_tag WHERE tag = ?1 AND party_id = ?2"));
        st.bind(1, tag);
        st.bind(2, pid);
        return st.exec();
    }

    result<void> add_contact_key(const IdText& pid, std::string_view kind, std::string_view value) {
        CRM_TRY(st, c_.stmt("INSERT OR IGNORE INTO contact_key (kind, value, party_id) "
                            "VALUES (?1, ?2, ?3)"));
        st.bind(1, kind);
        st.bind(2, value);
        st.bind(3, pid);
        return st.exec();
    }

    result<void> drop_contact_key(const IdText& pid, std::string_view kind,
                                  std::string_view value) {
        CRM_TRY(st, c_.stmt("DELETE FROM contact_key WHERE kind = ?1 AND value = ?2 "
                            "AND party_id = ?3"));
        st.bind(1, kind);
        st.bind(2, value);
        st.bind(3, pid);
        return st.exec();
    }

    result<void> reassign_impl(const Id& from, const Id& to) {
        IdText f(from), t(to);
        static const char* const kMoves[] = {
            "UPDATE interaction SET party_id = ?2 WHERE party_id = ?1",
            "UPDATE activity SET party_id = ?2 WHERE party_id = ?1",
            "UPDATE purchase SET party_id = ?2 WHERE party_id = ?1",
            "UPDATE opportunity SET party_id = ?2, body = json_set(body, '$.party', ?2) "
            "WHERE party_id = ?1",
            "UPDATE lead SET party_id = ?2, body = json_set(body, '$.party', ?2) "
            "WHERE party_id = ?1",
            "UPDATE lead SET body = json_set(body, '$.organization', ?2) "
            "WHERE json_extract(body, '$.organization') = ?1",
            "UPDATE quote SET party_id = ?2, body = json_set(body, '$.party', ?2) "
            "WHERE party_id = ?1",
            "UPDATE ticket SET party_id = ?2, body = json_set(body, '$.party', ?2) "
            "WHERE party_id = ?1",
            "UPDATE nps_response SET party_id = ?2 WHERE party_id = ?1",
            "UPDATE ticket SET body = json_set(body, '$.contact', ?2) "
            "WHERE json_extract(body, '$.contact') = ?1",
            // A membership both parties have keeps `to`'s: the moved copy
            // is ignored on conflict, then the leftover deleted.
            "UPDATE OR IGNORE membership SET person = ?2 WHERE person = ?1",
            "UPDATE OR IGNORE membership SET organization = ?2 WHERE organization = ?1",
            "DELETE FROM membership WHERE person = ?1 OR organization = ?1",
            // A party is never a member of itself.
            "DELETE FROM membership WHERE person = ?2 AND organization = ?2",
            // A list place or party suppression both have keeps `to`'s.
            "UPDATE OR IGNORE segment_list_member SET party_id = ?2 WHERE party_id = ?1",
            "DELETE FROM segment_list_member WHERE party_id = ?1",
            "UPDATE OR IGNORE suppression SET value = ?2 WHERE kind = 'party' AND value = ?1",
            "DELETE FROM suppression WHERE kind = 'party' AND value = ?1",
            // Campaign places follow the party; one both have keeps `to`'s.
            "UPDATE OR IGNORE campaign_member SET party_id = ?2 WHERE party_id = ?1",
            "DELETE FROM campaign_member WHERE party_id = ?1",
            // Loyalty: the ledger follows the party; an account both have keeps `to`'s.
            "UPDATE loyalty_ledger SET party_id = ?2 WHERE party_id = ?1",
            "UPDATE OR IGNORE loyalty_account SET party_id = ?2 WHERE party_id = ?1",
            "DELETE FROM loyalty_account WHERE party_id = ?1",
            // Both parties' summaries are recomputed from their purchase rows.
            "DELETE FROM purchase_summary WHERE party_id IN (?1, ?2)",
            "INSERT INTO purchase_summary (party_id, currency, count, total_minor, first_at, "
            "last_at) SELECT party_id, currency, count(*), sum(total_minor), min(ordered_at), "
            "max(ordered_at) FROM purchase WHERE party_id IN (?1, ?2) GROUP BY party_id, currency",
        };
        for (const char* sql : kMoves) {
            // Binding a parameter a statement does not use is a no-op.
            CRM_TRY(st, c_.stmt(sql));
            st.bind(1, f);
            st.bind(2, t);
            CRM_TRYV(st.exec());
        }
        return ok();
    }

    struct OldPurchase {
        std::string party;
        std::string currency;
    };

    result<void> put_purchase_impl(const Purchase& p) {
        IdText id(p.id), party(p.party);
        std::optional<OldPurchase> old;
        {
            CRM_TRY(st, c_.stmt("SELECT party_id, currency FROM purchase WHERE id = ?1"));
            st.bind(1, id);
            CRM_TRY(row, st.step());
            if (row) old = OldPurchase{st.str(0), st.str(1)};
        }
        if (!old) {
            // A new order: the summary is updated in place, overflow checked
            // before anything is written.
            PurchaseSummary s{p.total.currency, 0, 0, p.ordered_at, p.ordered_at};
            {
                CRM_TRY(st, c_.stmt("SELECT count, total_minor, first_at, last_at FROM "
                                    "purchase_summary WHERE party_id = ?1 AND currency = ?2"));
                st.bind(1, party);
                st.bind(2, p.total.currency);
                CRM_TRY(row, st.step());
                if (row) {
                    s.count = st.i64(0);
                    s.total_minor = st.i64(1);
                    s.first_at = std::min(Timestamp{st.i64(2)}, p.ordered_at);
                    s.last_at = std::max(Timestamp{st.i64(3)}, p.ordered_at);
                }
            }
            if (__builtin_add_overflow(s.total_minor, p.total.minor, &s.total_minor))
                return fail(errc::invalid_argument,
                            "the party's purchase total in " + p.total.currency +
                                " would overflow 64 bits",
                            "total");
            ++s.count;
            CRM_TRYV(write_purchase(p, id, party));
            CRM_TRY(st, c_.stmt("INSERT OR REPLACE INTO purchase_summary (party_id, currency, "
                                "count, total_minor, first_at, last_at) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
            st.bind(1, party);
            st.bind(2, s.currency);
            st.bind(3, s.count);
            st.bind(4, s.total_minor);
            st.bind(5, s.first_at.ms);
            st.bind(6, s.last_at.ms);
            return st.exec();
        }
        // An update: the old and the new (party, currency) summaries are
        // recomputed from the rows, since first/last cannot be subtracted.
        return atomically([&]() -> result<void> {
            CRM_TRYV(write_purchase(p, id, party));
            CRM_TRYV(recompute_summary(old->party, old->currency));
            if (old->party != party.view() || old->currency != p.total.currency)
                CRM_TRYV(recompute_summary(party.view(), p.total.currency));
            return ok();
        });
    }

    result<void> write_purchase(const Purchase& p, const IdText& id, const IdText& party) {
        std::string lines = encode_lines(p.lines);
        CRM_TRY(st, c_.stmt("INSERT INTO purchase (" CRM_PURCHASE_COLS ") VALUES "
                            "(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO UPDATE SET "
                            "party_id = excluded.party_id, order_id = excluded.order_id, "
                            "ordered_at = excluded.ordered_at, "
                            "total_minor = excluded.total_minor, currency = excluded.currency, "
                            "lines = excluded.lines"));
        st.bind(1, id);
        st.bind(2, party);
        st.bind(3, p.order_id);
        st.bind(4, p.ordered_at.ms);
        st.bind(5, p.total.minor);
        st.bind(6, p.total.currency);
        st.bind(7, lines);
        return st.exec();
    }

    result<void> recompute_summary(std::string_view party, std::string_view currency) {
        {
            CRM_TRY(st, c_.stmt("DELETE FROM purchase_summary WHERE party_id = ?1 "
                                "AND currency = ?2"));
            st.bind(1, party);
            st.bind(2, currency);
            CRM_TRYV(st.exec());
        }
        CRM_TRY(st, c_.stmt("INSERT INTO purchase_summary (party_id, currency, count, "
                            "total_minor, first_at, last_at) SELECT party_id, currency, "
                            "count(*), sum(total_minor), min(ordered_at), max(ordered_at) "
                            "FROM purchase WHERE party_id = ?1 AND currency = ?2 "
                            "GROUP BY party_id, currency"));
        st.bind(1, party);
        st.bind(2, currency);
        return st.exec();
    }

    std::shared_ptr<Shared> shared_;
    Connection& c_;
    int depth_ = 0;
    bool done_ = false;
};

class SqliteStore final : public Store {
public:
    explicit SqliteStore(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

    result<std::unique_ptr<Transaction>> begin() override { return start(false); }
    result<std::unique_ptr<Transaction>> begin_read() override { return start(true); }

    // Pages read through the memory map stay in the process's resident
    // set; a bulk load touches most of a large file once, so it reads
    // through the page cache alone and its memory stays bounded by that.
    result<void> bulk_load(bool on) override {
        std::unique_lock lk(shared_->m);
        if (!shared_->cv.wait_for(lk, std::chrono::milliseconds(shared_->busy_timeout_ms),
                                  [&] { return !shared_->busy; }))
            return fail(errc::storage, "sqlite: database is busy: a transaction is still open");
        return shared_->conn.exec_script(on ? kMmapOff : kMmapOn, "set mmap size");
    }

    std::string_view backend() const noexcept override { return "sqlite"; }

private:
    result<std::unique_ptr<Transaction>> start(bool read) {
        bool holding = false;  // the writer slot, until a transaction owns it
        try {
            {
                std::unique_lock lk(shared_->m);
                if (!shared_->cv.wait_for(lk, std::chrono::milliseconds(shared_->busy_timeout_ms),
                                          [&] { return !shared_->busy; }))
                    return fail(errc::storage,
                                "sqlite: database is busy: another transaction of this store "
                                "is still open after " +
                                    std::to_string(shared_->busy_timeout_ms) + " ms");
                shared_->busy = true;
                holding = true;
            }
            auto tx = std::make_unique<SqliteTransaction>(shared_);
            holding = false;  // from here the transaction's destructor frees the slot
            CRM_TRYV(tx->start(read || shared_->read_only));
            return std::unique_ptr<Transaction>(std::move(tx));
        } catch (const std::exception& e) {
            if (holding) shared_->release();
            return fail(errc::storage, std::string("sqlite: begin: ") + e.what());
        }
    }

    std::shared_ptr<Shared> shared_;
};

result<std::string> pragma_text(Connection& c, const char* sql) {
    CRM_TRY(st, c.stmt(sql));
    CRM_TRY(row, st.step());
    return row ? st.str(0) : std::string();
}

result<std::unique_ptr<Store>> open(const SqliteOptions& o) {
    if (o.path.empty()) return fail(errc::invalid_argument, "a database path is required", "path");
    auto shared = std::make_shared<Shared>();
    shared->read_only = o.read_only;
    shared->busy_timeout_ms = std::max(0, o.busy_timeout_ms);
    Connection& c = shared->conn;
    // The path as messages may repeat it: escaped and cut short.
    const std::string shown = text::excerpt(o.path, 256);
    // NOMUTEX: the Store serialises every use of the connection itself.
    int flags = SQLITE_OPEN_NOMUTEX;
    if (o.read_only) flags |= SQLITE_OPEN_READONLY;
    else flags |= SQLITE_OPEN_READWRITE | (o.create ? SQLITE_OPEN_CREATE : 0);
    CRM_TRYV(c.open(o.path, flags, shared->busy_timeout_ms));

    // The first read of the file: a file that is not a database fails here,
    // before anything is written to it.
    auto version = schema_version(c);
    if (!version)
        return fail(errc::storage, "sqlite: cannot read '" + shown + "': " +
                                       version.error().message);
    CRM_TRY(app, pragma_text(c, "PRAGMA application_id"));
    if (app != "0" && app != std::to_string(kApplicationId))
        return fail(errc::storage, "sqlite: '" + shown + "' is the database of another "
                                   "application (application_id " + app + ")");
    const int current = sqlite_schema_version();
    if (version.value() > current)
        return fail(errc::version_mismatch,
                    "database schema version " + std::to_string(version.value()) +
                        " is newer than this crmcore supports (" + std::to_string(current) +
                        "); upgrade crmcore to open '" + shown + "'");
    if (o.read_only && version.value() < current)
        return fail(errc::storage, "sqlite: '" + shown + "' has schema version " +
                                       std::to_string(version.value()) + ", older than " +
                                       std::to_string(current) +
                                       "; open it once writable to migrate it");

    CRM_TRYV(c.exec_script("PRAGMA foreign_keys = ON", "enable foreign keys"));
    // crm_norm() and crm_decimal_key(), which compiled segment rules call.
    CRM_TRYV(expr::sqlite::register_functions(c.handle()));
    CRM_TRYV(register_sample_key(c.handle()));
    // A larger page cache keeps the indexes of a million-party file in
    // memory: lookups then cost no system call. The pages are allocated on
    // use, so a small database stays small.
    CRM_TRYV(c.exec_script("PRAGMA cache_size = -65536", "set cache size"));
    CRM_TRYV(c.exec_script("PRAGMA temp_store = MEMORY", "set temp store"));
    // Pages beyond the cache are read through a memory map: a lookup in a
    // database larger than the cache then costs no read() call per page.
    // A bulk load turns the map off (bulk_load()).
    CRM_TRYV(c.exec_script(kMmapOn, "set mmap size"));
    if (!o.read_only) {
        // WAL: readers in other processes do not block the writer, and a
        // commit appends to the log instead of rewriting pages twice.
        // NORMAL syncs at checkpoints only; a power cut may lose the last
        // commits but never corrupts the file.
        CRM_TRY(mode, pragma_text(c, "PRAGMA journal_mode = WAL"));
        if (mode != "wal" && mode != "memory")
            return fail(errc::storage, "sqlite: cannot switch '" + shown +
                                           "' to WAL journal mode (got " + mode + ")");
        CRM_TRYV(c.exec_script("PRAGMA synchronous = NORMAL", "set synchronous"));
        // Checkpoint every 10,000 pages (40 MB) instead of 1,000: an index
        // page dirtied by many commits is copied into the file once per
        // checkpoint, and random-key indexes (names, e-mails) are exactly that.
        CRM_TRYV(c.exec_script("PRAGMA wal_autocheckpoint = 10000", "set checkpoint interval"));
        // A large commit can grow the log past that; it is cut back to
        // 64 MB once checkpointed rather than left at its largest size.
        CRM_TRYV(c.exec_script("PRAGMA journal_size_limit = 67108864", "set journal size limit"));
        // Only an older schema takes the write lock: opening a current file
        // never waits for another connection's writer.
        if (version.value() < current) CRM_TRYV(migrate(c, migrations()));
    }
    return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(shared)));
}

}  // namespace
}  // namespace sqlite

// The in-memory store is SQLite's own in-memory database: the same SQL,
// the same rules, one backend to keep (decision 0014).
std::unique_ptr<Store> open_memory() {
    SqliteOptions o;
    o.path = ":memory:";
    auto store = open_sqlite(o);
    return store ? std::move(store).value() : nullptr;
}

result<std::unique_ptr<Store>> open_sqlite(const SqliteOptions& options) {
    try {
        return sqlite::open(options);
    } catch (const std::exception& e) {
        return fail(errc::storage, std::string("sqlite: open: ") + e.what());
    } catch (...) {
        return fail(errc::storage, "sqlite: open: unknown exception");
    }
}

}  // namespace crm::storage
