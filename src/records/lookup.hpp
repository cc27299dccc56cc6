// src/records/lookup.hpp - a record by id or by the key people know it by,
// through any context's repository, with one not_found message.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "records/transaction.hpp"

namespace crm {

/// Reads a record (an opportunity, lead, quote, ticket) through `tx`: by
/// id, or by id or its other key (an external id, a quote or ticket
/// number). not_found names "id".
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

}  // namespace crm
