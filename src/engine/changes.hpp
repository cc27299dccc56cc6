// src/engine/changes.hpp - what a write changed about a party, told to the
// read models the Engine keeps in the same transaction (the marketing
// profiles and segment memberships), so that writers in every context
// report a change once, the same way, and know no read model.
#pragma once

#include <optional>
#include <utility>

#include "crm/core/error.hpp"
#include "crm/core/id.hpp"
#include "crm/core/time.hpp"
#include "crm/customer/party.hpp"
#include "crm/customer/timeline.hpp"
#include "crm/engine.hpp"

namespace crm {

class Transaction;

/// One change to what is known about a party.
struct PartyChange {
    /// Which of the party's records changed (a set of bits).
    enum Part : unsigned {
        fields = 1,        ///< the party's own fields or contact points
        purchases = 2,
        interactions = 4,
        tickets = 8,
        memberships = 16,
        campaigns = 32,
        everything = 63,
    };
    Id party;
    unsigned parts = 0;
    /// The party as just stored, when the writer has it.
    const Party* known = nullptr;
    /// An interaction was logged: its channel and instant.
    std::optional<std::pair<Channel, Timestamp>> interaction;
    /// The party is about to be merged into `party` (merged_from is the
    /// one that goes); told before its records move.
    Id merged_from;

    static PartyChange of(const Id& party, unsigned parts, const Party* known = nullptr) {
        PartyChange c;
        c.party = party;
        c.parts = parts;
        c.known = known;
        return c;
    }
};

/// A read model kept in the writer's transaction. A failure fails the write.
class ChangeObserver {
public:
    virtual ~ChangeObserver() = default;
    virtual result<void> changed(Engine::Impl& impl, Transaction& tx, const PartyChange& c) = 0;
};

}  // namespace crm
