// src/commands/catalogue.cpp - the catalogue assembled from its parts, the
// dispatcher, and the "commands" command that lists the catalogue.
#include "commands/catalogue.hpp"

#include <algorithm>
#include <new>
#include <vector>

#include "commands/request.hpp"
#include "crm/core/text.hpp"

namespace crm::commands {

namespace {

result<json> list_commands(Engine&, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {}));
    return describe();
}

constexpr Command kOwn[] = {
    {"commands", "Lists every command with a description of its request and response.", "{}",
     "{items: [{method, summary, request, response, mutates}]}", false, list_commands},
};

// A method name worth repeating in a message: short printable ASCII.
bool quotable(std::string_view s) {
    return !s.empty() && s.size() <= 64 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

}  // namespace

std::span<const Command> catalogue() {
    static const std::vector<Command> all = [] {
        std::vector<Command> v;
        for (auto part : {detail::party_commands(), detail::timeline_commands(),
                          detail::sales_commands(), detail::quote_commands(),
                          detail::service_commands(),
                          detail::marketing_commands(),
                          detail::analytics_commands(),
                          detail::outbox_commands(),
                          detail::import_commands(),
                          std::span<const Command>(kOwn)})
            v.insert(v.end(), part.begin(), part.end());
        return v;
    }();
    return all;
}

const Command* find(std::string_view method) {
    for (const auto& c : catalogue())
        if (c.method == method) return &c;
    return nullptr;
}

json describe() {
    json list = json::array();
    for (const auto& c : catalogue())
        list.push_back({{"method", c.method},
                        {"summary", c.summary},
                        {"request", c.request},
                        {"response", c.response},
                        {"mutates", c.mutates}});
    return json{{"items", std::move(list)}};
}

result<Context> context_from_json(const json& j, std::string_view path) {
    CRM_TRYV(codec::expect_object(j, path, {"actor", "source"}));
    Context ctx;
    CRM_TRY(actor, codec::get_string(j, "actor", path, 200));
    CRM_TRY(source, codec::get_string(j, "source", path, 200));
    if (actor) {
        if (text::tidy(*actor).empty())
            return fail(errc::invalid_argument, "must not be empty", codec::join(path, "actor"));
        ctx.actor = std::move(*actor);
    }
    if (source) {
        if (text::tidy(*source).empty())
            return fail(errc::invalid_argument, "must not be empty", codec::join(path, "source"));
        ctx.source = std::move(*source);
    }
    return ctx;
}

result<json> run(Engine& engine, const Command& command, json& request) {
    if (!request.is_object())
        return fail(errc::invalid_argument, "must be a JSON object", "request");
    Context ctx;
    if (auto it = request.find("context"); it != request.end()) {
        if (!it->is_null()) {
            CRM_TRY(c, context_from_json(*it, "context"));
            ctx = std::move(c);
        }
        request.erase(it);
    }
    return command.handler(engine, request, ctx);
}

result<std::string> execute(Engine& engine, std::string_view method, std::string_view request_json) {
    try {
        const Command* command = find(method);
        if (!command)
            return fail(errc::not_found,
                        quotable(method) ? "no command named '" + std::string(method) + "'"
                                         : std::string("is not the name of a command"),
                        "method");
        CRM_TRY(request, codec::parse(request_json, "request"));
        // The request is emptied without allocating before it is dropped:
        // its destructor allocates, and throws when memory has run out.
        struct Dismantled {
            json& j;
            ~Dismantled() { codec::dismantle(j); }
        } dismantled{request};
        CRM_TRY(response, run(engine, *command, request));
        return response.dump(-1, ' ', false, json::error_handler_t::replace);
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        return fail(errc::internal, std::string("unexpected failure: ") + e.what());
    }
}

}  // namespace crm::commands

namespace crm {

result<std::string> Engine::execute(std::string_view method, std::string_view request_json) {
    try {
        return commands::execute(*this, method, request_json);
    } catch (const std::bad_alloc&) {
        return fail(errc::out_of_memory, "out of memory");
    }
}

}  // namespace crm
