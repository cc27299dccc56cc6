// src/engine/impl.hpp - Engine::Impl: the store, the clock, the id
// generator, the open explicit transaction, the read models, and how every
// call runs: read(), write() or write_decided() (decision 0016).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "records/transaction.hpp"
#include "crm/engine.hpp"
#include "crm/expr/expr.hpp"
#include "crm/marketing/loyalty.hpp"
#include "crm/marketing/segment.hpp"
#include "crm/service/service.hpp"
#include "customer/codec.hpp"
#include "customer/party_text.hpp"
#include "engine/changes.hpp"

namespace crm {

struct CRM_LOCAL Engine::Impl {
    std::unique_ptr<storage::Store> store;
    EngineOptions options;
    std::shared_ptr<const Clock> clock;
    std::shared_ptr<const phone::OperatorTable> operators;
    mutable std::recursive_mutex mutex;
    IdGenerator ids;
    std::unique_ptr<Transaction> open_txn;
    // The thread whose begin() opened open_txn; other threads wait on
    // txn_ended (at most options.busy_timeout_ms) before they run.
    std::thread::id txn_owner;
    std::condition_variable_any txn_ended;
    std::vector<std::string> file_directories;  // canonical
    std::map<std::string, std::vector<FieldDef>, std::less<>> field_cache;
    // Parsed definitions by (id, version) and calendars by id. Stored
    // versions never change, but a rolled-back write may have cached one
    // that was never stored: every failed write forgets them all.
    std::map<std::pair<std::string, int>, process::Definition, std::less<>> process_cache;
    std::map<std::string, BusinessCalendar, std::less<>> calendar_cache;
    // Parsed SLA policies by (id, version); the latest versions are read
    // from the store on each use.
    std::map<std::pair<std::string, int>, SlaPolicy, std::less<>> sla_policy_cache;
    std::map<std::pair<std::string, int>, AssignmentRule, std::less<>> assignment_rule_cache;
    std::map<std::pair<std::string, int>, EscalationRule, std::less<>> escalation_rule_cache;
    std::map<std::pair<std::string, int>, Segment, std::less<>> segment_cache;
    std::map<std::pair<std::string, int>, LoyaltyProgram, std::less<>> loyalty_cache;
    // The read models kept in the writer's transaction (changes.hpp).
    std::vector<std::unique_ptr<ChangeObserver>> observers;

    /// Tells every observer what a write changed about a party.
    result<void> changed(Transaction& tx, const PartyChange& change) {
        for (const auto& o : observers) CRM_TRYV(o->changed(*this, tx, change));
        return ok();
    }

    void forget_caches() {
        field_cache.clear();
        process_cache.clear();
        calendar_cache.clear();
        sla_policy_cache.clear();
        assignment_rule_cache.clear();
        escalation_rule_cache.clear();
        segment_cache.clear();
        loyalty_cache.clear();
    }

    Timestamp now() const { return clock->now(); }
    Id new_id() { return ids.next(now()); }

    /// The engine's lock for one call of this thread: taken once no other
    /// thread's explicit transaction is open; conflict when one stays open
    /// longer than the busy timeout.
    result<std::unique_lock<std::recursive_mutex>> enter() {
        std::unique_lock lock(mutex);
        const auto self = std::this_thread::get_id();
        if (open_txn && txn_owner != self &&
            !txn_ended.wait_for(lock, std::chrono::milliseconds(options.busy_timeout_ms),
                                [&] { return !open_txn; }))
            return fail(errc::conflict,
                        "another thread's transaction is open on this engine and did not end "
                        "within " + std::to_string(options.busy_timeout_ms) + " ms");
        return lock;
    }

    /// Runs fn(tx) atomically: inside the open transaction under a
    /// savepoint, or in a transaction of its own that commits on success.
    template <class F>
    auto write(F&& fn) -> decltype(fn(std::declval<Transaction&>())) {
        CRM_TRY(lock, enter());
        (void)lock;  // held until the call returns
        if (open_txn) {
            CRM_TRYV(open_txn->savepoint());
            auto r = fn(*open_txn);
            if (r) {
                CRM_TRYV(open_txn->release_savepoint());
            } else {
                (void)open_txn->rollback_to_savepoint();
                forget_caches();
            }
            return r;
        }
        return write_alone(fn);
    }

    /// Runs fn(tx) atomically like write(), for a call that makes every
    /// decision that can refuse it before its first write: inside the open
    /// transaction it takes no savepoint (whose copy of each page it
    /// touches is a third of the cost of a small write). When such a call
    /// fails after writing anyway (the storage failed part way), nothing
    /// short of the whole transaction can undo it: the open transaction is
    /// rolled back and the error says so. A failure before the first write
    /// leaves the open transaction as it was.
    template <class F>
    auto write_decided(F&& fn) -> decltype(fn(std::declval<Transaction&>())) {
        CRM_TRY(lock, enter());
        (void)lock;
        if (!open_txn) return write_alone(fn);
        const std::int64_t before = open_txn->changes();
        auto r = fn(*open_txn);
        if (!r) {
            forget_caches();
            if (open_txn->changes() != before) {
                open_txn.reset();
                txn_ended.notify_all();
                r.error().message +=
                    " (the call failed after it had written, so the open transaction was rolled back)";
            }
        }
        return r;
    }

    /// fn(tx) in a transaction of its own that commits on success.
    template <class F>
    auto write_alone(F&& fn) -> decltype(fn(std::declval<Transaction&>())) {
        CRM_TRY(tx, crm::begin(*store));
        auto r = fn(*tx);
        if (!r) {
            forget_caches();
            return r;
        }
        if (auto committed = tx->commit(); !committed) {
            forget_caches();
            return committed.error();
        }
        return r;
    }

    template <class F>
    auto read(F&& fn) -> decltype(fn(std::declval<Transaction&>())) {
        CRM_TRY(lock, enter());
        (void)lock;
        if (open_txn) return fn(*open_txn);
        CRM_TRY(tx, crm::begin_read(*store));
        return fn(*tx);
    }

    result<const std::vector<FieldDef>*> fields_of(Transaction& tx, std::string_view rt);

    /// Follows merges from `id` to the live party; not_found names `field`.
    result<Party> load_live_party(Transaction& tx, const Id& id,
                                  std::string_view field = "party");

    /// Writes the audit entry and the outbox event of one change.
    result<void> record(Transaction& tx, const Context& ctx, std::string_view record_type,
                        const Id& id, std::string_view action, std::vector<FieldChange> changes,
                        std::string_view event_type, std::string payload);
    result<void> record(Transaction& tx, const Context& ctx, std::string_view record_type,
                        const Id& id, std::string_view action, std::vector<FieldChange> changes,
                        std::string_view event_type, const codec::json& payload) {
        return record(tx, ctx, record_type, id, action, std::move(changes), event_type,
                      payload.dump(-1, ' ', false, codec::json::error_handler_t::replace));
    }

    /// Stores a new party: its audit entry lists what was given, its
    /// event carries the whole party.
    result<void> create_stored_party(Transaction& tx, const Context& ctx, const Party& p);
    /// Stores a changed party when anything but its bookkeeping changed;
    /// `changed` says whether it did. `action`/`event` name the change.
    result<Party> update_stored_party(Transaction& tx, const Context& ctx, const Party& before,
                                      Party after, std::string_view action, std::string_view event,
                                      bool* changed);

    /// Validates `in` and applies it to `p` (a copy of the stored party, or
    /// a fresh one when creating).
    result<void> apply(Transaction& tx, Party& p, const PartyInput& in, bool creating);

    result<void> store_party(Transaction& tx, const Party& p);
    /// Sets (or, for a null value, clears) the custom fields `in` names on
    /// `values`, each checked against its declaration for `record_type`,
    /// then checks that every required one is set. Errors name
    /// "custom.<name>".
    result<void> apply_custom(Transaction& tx, std::string_view record_type,
                              const CustomValues& in, CustomValues& values);
    /// Engine::create_party's work, in `tx`.
    result<Party> insert_party(Transaction& tx, const Context& ctx,
                               const PartyInput& input);

    // ---- processes (processes.cpp) -----------------------------------------
    /// The schema rules and definitions of `record_type` are checked against.
    result<expr::Schema> schema_of(Transaction& tx, std::string_view record_type);
    /// A stored definition (version 0: the latest); not_found names `field`.
    result<process::Definition> definition(Transaction& tx, std::string_view id,
                                           int version, std::string_view field = "pipeline");
    /// definition(), or for a built-in process not stored yet its version 1:
    /// what reads that show a process (its definition, a pipeline's stages)
    /// answer on a fresh database. Record writes store the built-in one.
    result<process::Definition> definition_to_show(Transaction& tx, std::string_view id,
                                                   int version, std::string_view field = "pipeline");
    /// A built-in process (sales, lead, quote, ticket, campaign) as its
    /// version 1, loaded from its JSON; not_found for another id.
    result<process::Definition> builtin_definition(Transaction& tx, std::string_view id);
    /// Stores `json` as a new version unless the latest has the same content.
    result<Written<process::Definition>> store_definition(Transaction& tx,
                                                          const Context& ctx,
                                                          std::string_view json);
    /// The latest version of process `id` ("": `builtin_id`) for a new
    /// record of `record_type`; the built-in definition `builtin_json` is
    /// stored on first use. not_found or invalid_argument (a process of
    /// another record type) name `field`.
    result<process::Definition> process_for_create(Transaction& tx, const Context& ctx,
                                                   std::string_view id, std::string_view builtin_id,
                                                   const char* builtin_json,
                                                   std::string_view record_type,
                                                   std::string_view field);
    /// The calendar a definition counts business time in.
    result<BusinessCalendar> calendar_of(Transaction& tx, std::string_view id);
    /// The instant `d` after `from` in `calendar`.
    result<Timestamp> due_after(const BusinessCalendar& calendar, Timestamp from,
                                const process::Duration& d);
    /// Stores `body` as the next version of definition (kind, id) unless
    /// the latest has the same body; writes the audit entry (record_type,
    /// "create" or "update") and `event` with `payload` plus "version".
    /// Answers the version and whether it was created, updated or unchanged.
    result<std::pair<int, WriteOutcome>> store_versioned(Transaction& tx,
                                                         const Context& ctx, std::string_view kind,
                                                         const std::string& id,
                                                         const std::string& body,
                                                         std::string_view record_type,
                                                         std::string_view event,
                                                         const codec::json& payload);
    expr::Context rule_context() const { return expr::Context{now(), "Asia/Tehran"}; }
    /// Appends a history entry; `at` and `actor` are filled from now and ctx.
    result<void> write_history(Transaction& tx, const Context& ctx, HistoryEntry entry);
    /// The record a move's effects act for.
    struct EffectTarget {
        std::string record_type;
        Id id;
        Id party;           ///< follow-up activities are on this party
        std::string owner;  ///< and assigned to this owner unless the effect names one
        std::string label;  ///< the activity's note
    };
    /// Runs the activity and emit effects of a move (field sets are the
    /// record type's own): activities due in the definition's calendar,
    /// events with `payload`.
    result<void> run_effects(Transaction& tx, const Context& ctx,
                             const process::Definition& d, const EffectTarget& target,
                             const std::vector<const process::Effect*>& effects,
                             const codec::json& payload);
};

/// The field-by-field difference of two JSON objects: a key absent before
/// is null, and one absent before whose new value is empty is not listed.
/// The bookkeeping every write changes (updated_at, version, and the time a
/// record entered its stage or state) is not listed, nor a ticket's derived
/// SLA clocks ("slas", "due_at").
std::vector<FieldChange> diff(const codec::json& before, const codec::json& after);

/// A definition id or key: tidied, required, at most 64 bytes of
/// [a-z0-9_-]; errors name `field`.
result<std::string> clean_key(const std::string& s, const char* field);

/// Checks the actor and source of a call's context.
result<void> check_context(const Context& ctx);

/// The normalised name key of a party, kept for name search.
std::string name_key(const Party& p);

}  // namespace crm
