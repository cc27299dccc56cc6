// records/dimensions.hpp - what the records that run on a process are
// grouped and filtered by in reports: their owner, team, pipeline, source
// and campaign, as each context keeps them (an opportunity's source is the
// source of the lead it came from; a ticket's owner is its assignee, its
// team its queue and its source its channel). Empty when the record has
// none.
#pragma once

#include <functional>
#include <string_view>

namespace crm {

struct RecordDimensions {
    std::string_view id, owner, team, pipeline, source, campaign;
};

using RecordDimensionsFn = std::function<bool(const RecordDimensions&)>;

}  // namespace crm
