#include "crm/core/error.hpp"

namespace crm {
namespace {
class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "crm"; }
    std::string message(int c) const override { return to_string(static_cast<errc>(c)); }
};
}  // namespace

const std::error_category& error_category() noexcept {
    static const category instance;
    return instance;
}

const char* to_string(errc code) noexcept {
    switch (code) {
        case errc::ok: return "ok";
        case errc::invalid_argument: return "invalid_argument";
        case errc::not_found: return "not_found";
        case errc::conflict: return "conflict";
        case errc::invalid_transition: return "invalid_transition";
        case errc::permission_denied: return "permission_denied";
        case errc::storage: return "storage";
        case errc::parse: return "parse";
        case errc::unsupported: return "unsupported";
        case errc::version_mismatch: return "version_mismatch";
        case errc::internal: return "internal";
        case errc::out_of_memory: return "out_of_memory";
        case errc::misuse: return "misuse";
    }
    return "unknown";
}

std::string error::what() const {
    if (field.empty()) return message;
    return field + ": " + message;
}

}  // namespace crm
