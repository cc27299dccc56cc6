// src/sales/work.hpp - what the sales sources share: text cleaning and
// creating an opportunity inside a write already begun (lead conversion).
#pragma once

#include <string>

#include "records/transaction.hpp"
#include "crm/process/process.hpp"
#include "crm/sales/opportunity.hpp"
#include "engine/access.hpp"

namespace crm::sales {

/// Checks (UTF-8, at most `max` bytes) and tidies a text field.
result<std::string> clean_text(const std::string& s, const char* field, std::size_t max);

/// "YYYY-MM-DD" (ASCII or Persian digits, '/' allowed), read as Jalali when
/// the year is below 1700; the Gregorian date, or "" for empty input.
result<std::string> clean_date(const std::string& s, std::string_view field);

/// Today's Gregorian date in Asia/Tehran.
std::string today(Timestamp now);

/// The effects a move runs: the transition's (none for the move that
/// creates a record), then the target state's on-enter effects.
std::vector<const process::Effect*> effects_of(const process::Transition* t,
                                               const process::State& target);

/// The moves out of `state` whose guard holds, each with the fields it and
/// its target state require.
std::vector<AllowedMove> moves_for_ui(const process::Definition& d, std::string_view state,
                                      const expr::Record& record, const expr::Context& context);

/// A percent as decimal text ("12.5", at most 2 decimals, 0..100) in basis points.
result<int> parse_percent_bp(std::string_view text, std::string_view field);

/// Reads a sales record (opportunity, lead, quote) through `tx`: by id,
/// or by id or its other key (an external id, a quote number). not_found
/// names "id".
template <class T>
class Records {
public:
    using Get = result<std::optional<T>> (Transaction::*)(const Id&);
    using ByKey = result<Id> (Transaction::*)(std::string_view);

    Records(Transaction& tx, Get get, ByKey by_key, const char* what) noexcept
        : tx_(tx), get_(get), by_key_(by_key), what_(what) {}

    result<T> load(const Id& id) const {
        CRM_TRY(found, (tx_.*get_)(id));
        if (!found) return fail(errc::not_found, std::string("no ") + what_ + " with id " + id.str(), "id");
        return std::move(*found);
    }

    result<T> find(std::string_view key) const {
        if (auto id = Id::parse(key); id) {
            CRM_TRY(found, (tx_.*get_)(id.value()));
            if (found) return std::move(*found);
        }
        CRM_TRY(id, (tx_.*by_key_)(key));
        if (id.is_nil())
            return fail(errc::not_found,
                        std::string("no ") + what_ + " '" + std::string(key).substr(0, 64) + "'", "id");
        return load(id);
    }

private:
    Transaction& tx_;
    Get get_;
    ByKey by_key_;
    const char* what_;
};

/// Sales::create_opportunity's work, in `tx`.
result<Opportunity> create_opportunity_in(Engine::Impl& impl, Transaction& tx,
                                          const Context& ctx, const OpportunityInput& input);

}  // namespace crm::sales
