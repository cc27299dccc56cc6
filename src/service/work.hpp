// src/service/work.hpp - what the rest of the library asks of the service
// desk: a changed business calendar retargets the clocks counting in it.
#pragma once

#include <string_view>

#include "records/transaction.hpp"
#include "engine/access.hpp"

namespace crm::service {

/// Recomputes, in `tx`, the open clocks of every SLA policy that counts in
/// business calendar `calendar` ("default" also covers policies naming none).
result<void> calendar_changed(Engine::Impl& impl, Transaction& tx, const Context& ctx,
                              std::string_view calendar);

}  // namespace crm::service
