// src/engine/access.hpp - how the library's other parts (the importer)
// reach an Engine's internals; nothing outside src/ sees it.
#pragma once

#include "engine/impl.hpp"

namespace crm {

struct CRM_LOCAL EngineAccess {
    static Engine::Impl& impl(Engine& e) noexcept { return *e.impl_; }
};

}  // namespace crm
