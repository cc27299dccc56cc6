// crm/engine.hpp - crm::Engine, the facade every host holds: open a
// database, then work with customers through it. Start reading here.
//
// Every mutation validates its input, then runs in one transaction that
// writes the change, an audit entry and an outbox event together; a failed
// call changes nothing. No call throws: each returns crm::result.
//
// Threading: an Engine may be shared between threads; calls are
// serialised internally. An explicit transaction (begin()) belongs to the
// thread that began it: only that thread's calls run inside it, and
// commit() or rollback() from another thread fails with conflict. Other
// threads' calls wait until it ends, at most EngineOptions::busy_timeout_ms,
// then fail with conflict rather than join it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/audit.hpp"
#include "crm/core/business_calendar.hpp"
#include "crm/core/context.hpp"
#include "crm/core/error.hpp"
#include "crm/core/phone.hpp"
#include "crm/core/time.hpp"
#include "crm/core/worklist.hpp"
#include "crm/customer/custom_field.hpp"
#include "crm/customer/party.hpp"
#include "crm/customer/purchase.hpp"
#include "crm/customer/timeline.hpp"
#include "crm/customer/view.hpp"
#include "crm/expr/schema.hpp"
#include "crm/process/process.hpp"
#include "crm/sales/opportunity.hpp"
#include "crm/storage/store.hpp"
#include "crm/view/customer_360.hpp"

namespace crm {

struct EngineAccess;  // the library's own internals (src/engine/access.hpp)

/// How Engine::open treats the database it names.
enum class OpenMode {
    create,      ///< create the file when missing, migrate an older schema (the default)
    must_exist,  ///< the file must exist (not_found naming "database"); migrated when older
    read_only,   ///< the file must exist and is only read; every write fails with storage
};
CRM_API const char* to_string(OpenMode) noexcept;
/// "create", "must_exist" or "read_only"; invalid_argument naming `field`.
CRM_API result<OpenMode> parse_open_mode(std::string_view s, std::string_view field = "mode");

struct EngineOptions {
    /// Where the data lives: "memory:" (a private in-memory database, gone
    /// when the engine closes), or "sqlite:PATH" (or a bare PATH) of an
    /// SQLite file. Any other "memory:..." is refused with invalid_argument.
    std::string database = "memory:";
    /// create, must_exist or read_only; "memory:" takes create only.
    OpenMode mode = OpenMode::create;
    /// How long a call waits for a lock: another thread's explicit
    /// transaction on this engine, or another connection's write lock on
    /// the SQLite file. 0..600000 milliseconds.
    int busy_timeout_ms = 5000;
    /// Directories the file commands of the catalogue (import.customers,
    /// import.orders and export.customers given a "path") may read and
    /// write, below which every path must resolve (symbolic links
    /// followed). Empty, the default: those commands refuse paths, and a
    /// host that forwards requests never exposes its file system; CSV then
    /// travels inside the request and the response ("csv"). Each must be
    /// an existing directory (invalid_argument naming
    /// "file_directories[i]"). The C++ import and export functions
    /// (crm/import.hpp), which take streams, are not limited by it.
    std::vector<std::string> file_directories;
    /// The clock "now" is read from; the system clock when null.
    std::shared_ptr<const Clock> clock;
    /// Region for phone numbers written without a country code.
    std::string default_region = "IR";
    /// Mobile operator table; the built-in one when null.
    std::shared_ptr<const phone::OperatorTable> operators;
    /// The allowed lifecycle stages; the first is the default.
    std::vector<std::string> lifecycle_stages = {"lead", "subscriber", "prospect", "customer",
                                                 "former"};
};

/// Outcome of an idempotent write.
enum class WriteOutcome { created, updated, unchanged };
CRM_API const char* to_string(WriteOutcome) noexcept;

template <class T>
struct Written {
    T record;
    WriteOutcome outcome = WriteOutcome::created;
};

class CRM_API Engine {
public:
    /// Opens the database named in `options` (creating and migrating it).
    static result<std::unique_ptr<Engine>> open(EngineOptions options);
    /// Wraps a store the caller built (tests, custom backends).
    static result<std::unique_ptr<Engine>> open(std::unique_ptr<storage::Store> store,
                                                EngineOptions options);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    std::string_view backend() const noexcept;
    /// EngineOptions::file_directories as opened: absolute, symbolic links
    /// resolved.
    const std::vector<std::string>& file_directories() const noexcept;
    Timestamp now() const;

    // ---- explicit transactions -------------------------------------------
    /// Groups the calling thread's following calls into one transaction
    /// until it calls commit() or rollback(). A call that fails inside it
    /// is undone alone. conflict if this thread has one open; while another
    /// thread's is open, begin() waits for it like any call (see Threading
    /// above). commit() and rollback() fail with conflict when no
    /// transaction is open or when it belongs to another thread.
    result<void> begin();
    result<void> commit();
    result<void> rollback();
    bool in_transaction() const noexcept;  ///< the calling thread has one open
    // ---- parties -----------------------------------------------------------
    /// Creates a party. Persons need a first or last name, organisations an
    /// organization_name. conflict if external_id is taken.
    result<Party> create_party(const Context& ctx, const PartyInput& input);
    /// Creates or updates the party with input.external_id (required);
    /// writing the same input twice reports `unchanged` the second time.
    result<Written<Party>> upsert_party(const Context& ctx, const PartyInput& input);
    /// Applies the set fields of `input` to an existing party.
    result<Party> update_party(const Context& ctx, const Id& id, const PartyInput& input);
    /// The party; a merged-away id resolves to its survivor.
    result<Party> get_party(const Id& id);
    result<Party> get_party_by_external_id(std::string_view external_id);
    /// An id (36-character text) or an external id.
    result<Party> find_party(std::string_view id_or_external_id);
    /// Live parties in id order (oldest first, ids being time-ordered),
    /// after `after` (nil: from the first), at most `limit` (1..1000). Pass
    /// the last id back as `after` to read the next page.
    result<std::vector<Party>> list_parties(const Id& after = {}, int limit = 100);
    /// Sets the consent of one channel on one contact point.
    result<Party> set_consent(const Context& ctx, const Id& party, const Id& contact,
                              const Consent& consent);

    // ---- organisations ----------------------------------------------------
    result<Membership> link_to_organization(const Context& ctx, const Id& person,
                                            const Id& organization, std::string_view role);
    result<void> unlink_from_organization(const Context& ctx, const Id& person,
                                          const Id& organization);

    // ---- timeline ----------------------------------------------------------
    /// Logs an interaction. With an external_id, logging it again is a no-op
    /// returning the stored one.
    result<Interaction> log_interaction(const Context& ctx, const Interaction& input);
    result<Page<Interaction>> timeline(const Id& party, const TimelineQuery& query);

    // ---- activities --------------------------------------------------------
    result<Activity> schedule_activity(const Context& ctx, const Activity& input);
    result<Activity> complete_activity(const Context& ctx, const Id& activity);
    result<Activity> cancel_activity(const Context& ctx, const Id& activity);
    /// Open activities of `assignee` due before now.
    result<std::vector<Activity>> overdue_activities(std::string_view assignee, int limit = 100);
    /// Open activities of `assignee` due before `until`.
    result<std::vector<Activity>> activities_due_by(std::string_view assignee, Timestamp until,
                                                    int limit = 100);
    /// Activities filtered by assignee (owner), status, party, its tag, due
    /// and overdue, creation and change (completion); ordered and paged
    /// (crm/core/worklist.hpp). A rule may name subject, kind, status,
    /// assignee, due and created_at.
    result<ListPage<Activity>> list_activities(const ListQuery& query);

    // ---- purchases ---------------------------------------------------------
    /// Records an ERP order on a party; the same order_id again updates it.
    result<Written<Purchase>> record_purchase(const Context& ctx, const Purchase& input);
    result<std::vector<Purchase>> purchases(const Id& party);

    // ---- custom fields -----------------------------------------------------
    result<FieldDef> define_field(const Context& ctx, const FieldDef& def);
    result<std::vector<FieldDef>> fields(std::string_view record_type = "party");

    // ---- processes and business calendars --------------------------------
    /// Stores a process definition (the JSON form of crm/process/process.hpp,
    /// checked against the schema of its record_type, "opportunity" for
    /// pipelines). Content equal to the latest version answers that version
    /// as `unchanged`; other content becomes the next version (1, 2, ...),
    /// `created` either way otherwise. Records keep the version they started
    /// on until migrated. Effects may set only fields a record type lets
    /// them (opportunity: name, owner, team, campaign, probability,
    /// expected_close, custom.*; lead: owner, campaign, interest, note, city,
    /// custom.*).
    result<Written<process::Definition>> define_process(const Context& ctx, std::string_view json);
    /// A stored definition; version 0 is the latest. A built-in process
    /// (sales, lead, quote, ticket, campaign) not stored yet reads as the
    /// version 1 its first record will store.
    result<process::Definition> process_definition(std::string_view id, int version = 0);
    /// The latest version of every definition, by id: the stored ones and
    /// the built-in ones not stored yet.
    result<std::vector<process::Definition>> process_definitions();
    /// Stores a business calendar (JSON, crm/core/business_calendar.hpp) by
    /// id, versioned like definitions. Definitions name it in "calendar".
    result<Written<BusinessCalendarDef>> define_calendar(const Context& ctx, std::string_view json);
    /// The latest version of a stored calendar; an empty id is the default,
    /// BusinessCalendar::iran_default(), unless one is stored as "default".
    result<BusinessCalendar> business_calendar(std::string_view id = {});
    /// The fields rules over `record_type` may name: built-in and custom.
    result<expr::Schema> record_schema(std::string_view record_type);
    /// Every stage change and tracked value change of a record, oldest first.
    result<std::vector<HistoryEntry>> history(std::string_view record_type, const Id& id);

    // ---- the 360 view, search, duplicates, merge --------------------------
    result<Customer360> customer_360(const Id& party, int recent_interactions = 20);
    result<std::vector<SearchHit>> search(const SearchQuery& query);
    result<std::vector<DuplicatePair>> find_duplicates(const DuplicateOptions& options = {});
    /// Merges every party in `merged` into `survivor` in one transaction.
    result<Party> merge(const Context& ctx, const Id& survivor, const std::vector<Id>& merged,
                        const MergeRules& rules = {});

    // ---- audit and events --------------------------------------------------
    result<std::vector<AuditEntry>> audit_trail(const Id& record, int limit = 100);
    /// Events with seq > cursor, oldest first.
    result<std::vector<Event>> events_after(std::int64_t cursor, int limit = 100);
    /// Records that `consumer` has handled every event up to `cursor`.
    result<void> acknowledge(std::string_view consumer, std::int64_t cursor);
    /// The last acknowledged cursor of `consumer` (0 when none).
    result<std::int64_t> consumer_cursor(std::string_view consumer);

    // ---- commands by name --------------------------------------------------
    /// Runs one command of the catalogue by name with its JSON request, the
    /// same table C hosts reach through crm_execute() and Python through
    /// Engine.execute: "party.upsert" with a party's fields, "commands" with
    /// {} for the list of every command (docs/C-ABI.md lists them). The request may carry "context":
    /// {"actor", "source"}. Answers the response as compact JSON text. An
    /// unknown method fails with not_found naming "method"; malformed text
    /// with parse naming "request"; a request over crm/core/limits.hpp with
    /// invalid_argument; an exhausted allocator with out_of_memory.
    result<std::string> execute(std::string_view method, std::string_view request_json);

    struct CRM_LOCAL Impl;

private:
    friend struct EngineAccess;
    explicit Engine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace crm
