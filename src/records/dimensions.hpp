// records/dimensions.hpp - what the records that run on a process are
// grouped and filtered by in reports: their owner, team, pipeline, source
// and campaign, as each context keeps them (an opportunity's source is the
// source of the lead it came from; a ticket's owner is its assignee, its
// team its queue and its source its channel). Empty when the record has
// none.
#pragma once

#include <functional>
#include <string_view>

#include "storage/session.hpp"

namespace crm {

struct RecordDimensions {
    std::string_view id, owner, team, pipeline, source, campaign;
};

using RecordDimensionsFn = std::function<bool(const RecordDimensions&)>;

/// Steps `st`, whose columns are id, owner, team, pipeline, source and
/// campaign, calling `fn` per row until it returns false.
inline result<void> each_dimensions(storage::Stmt& st, const RecordDimensionsFn& fn) {
    for (;;) {
        CRM_TRY(row, st.step());
        if (!row) break;
        if (!fn(RecordDimensions{st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5)}))
            break;
    }
    return ok();
}

}  // namespace crm
