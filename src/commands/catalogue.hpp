// src/commands/catalogue.hpp - the command catalogue: every operation a
// host can run by name with a JSON request, and what it answers. One table
// serves the C ABI's crm_execute(), crmctl and the fuzzers, so a new
// operation adds an entry here, never a new exported symbol.
//
// Requests are JSON objects read strictly: unknown fields, wrong types and
// invalid values fail with invalid_argument naming the JSON path of the
// offending field ("contacts[0].value", "changes.city", "merged[1]"). Every
// request may carry "context": {"actor", "source"}; mutating commands record
// it in the audit trail. Responses are always JSON objects; lists come as
// {"items": [...]} so that a response can grow fields without breaking
// readers.
//
// Internal to the library: nothing here is exported from libcrmcore (C
// hosts reach it through crm_execute(); crmctl and tests link
// crmcore_static).
//
// Threading: the catalogue is immutable; handlers are as thread-safe as the
// Engine they run on.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "crm/core/context.hpp"
#include "crm/core/error.hpp"
#include "crm/engine.hpp"
#include "customer/codec.hpp"

namespace crm::commands {

using json = codec::json;

/// Runs one command: `request` is the request object without "context",
/// already known to be a JSON object.
using Handler = result<json> (*)(Engine& engine, const json& request, const Context& context);

/// One entry of the catalogue.
struct Command {
    std::string_view method;    ///< "party.upsert"
    std::string_view summary;   ///< one line: what it does
    std::string_view request;   ///< the request's fields, briefly
    std::string_view response;  ///< what comes back, briefly
    bool mutates = false;       ///< writes state (with audit entry and event)
    Handler handler = nullptr;
};

/// Every command, in the order they are documented.
std::span<const Command> catalogue();

/// The command named `method`, or null.
const Command* find(std::string_view method);

/// The catalogue as JSON: {"items": [{"method", "summary", "request",
/// "response", "mutates"}]}; the answer of the "commands" command.
json describe();

/// Reads the optional "context" of `request` (removing it) and runs the
/// handler. invalid_argument when `request` is not an object.
result<json> run(Engine& engine, const Command& command, json& request);

/// Parses `request_json` (UTF-8 checked), runs `method` and returns the
/// response as compact JSON text. Unknown method: not_found naming field
/// "method"; malformed text: parse naming "request". Throws only
/// std::bad_alloc; any other exception becomes errc::internal.
result<std::string> execute(Engine& engine, std::string_view method,
                            std::string_view request_json);

/// Reads {"actor", "source"} (both optional; defaults as in crm::Context).
result<Context> context_from_json(const json& j, std::string_view path);

// The parts of the catalogue, one per source file (see catalogue.cpp).
namespace detail {
std::span<const Command> party_commands();
std::span<const Command> timeline_commands();
std::span<const Command> outbox_commands();
std::span<const Command> import_commands();
std::span<const Command> sales_commands();
std::span<const Command> quote_commands();
std::span<const Command> service_commands();
std::span<const Command> marketing_commands();
std::span<const Command> analytics_commands();
}  // namespace detail

}  // namespace crm::commands
