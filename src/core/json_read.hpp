// src/core/json_read.hpp - JSON inside the library (nlohmann, never in a
// public header) and strict readers that name the offending field by its
// path and reject unknown keys.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/core/id.hpp"
#include "crm/core/time.hpp"

namespace crm::codec {

/// Insertion-ordered, so records read as written: id first, then the rest.
using json = nlohmann::ordered_json;

/// Builds an object member by member, in order, moving each value in.
/// For the records written on every change: an object built from an
/// initializer list copies every value and searches the keys so far for
/// each new one, which makes it several times slower.
class Members {
public:
    explicit Members(std::size_t expected) : j_(json::object()) {
        j_.get_ref<json::object_t&>().reserve(expected);
    }
    Members& add(const char* key, json value) {
        j_.get_ref<json::object_t&>().emplace_back(key, std::move(value));
        return *this;
    }
    json done() { return std::move(j_); }

private:
    json j_;
};

/// Parses JSON text within crm/core/limits.hpp: at most limits::request_bytes
/// and limits::json_values values, nested at most limits::json_depth deep,
/// no key twice in one object (each invalid_argument; a repeated key is
/// named by its path, the rest name `what`). Invalid UTF-8 or JSON: parse
/// naming `what` and the byte offset. Throws only std::bad_alloc.
result<json> parse(std::string_view text, std::string_view what = "request");

/// Empties `j` without allocating. nlohmann's destructor moves the children
/// of a container into a new vector before destroying them, which throws
/// inside a destructor (and ends the process) when memory has run out; a
/// document about to be dropped because an allocation failed is emptied
/// with this first.
void dismantle(json& j) noexcept;

/// An id as JSON: its text, or null when nil.
json to_json(const Id& id);
/// An instant as JSON: ISO 8601 UTC text with milliseconds.
json time_json(Timestamp t);

/// Fails unless `j` is an object whose keys are all in `allowed`.
result<void> expect_object(const json& j, std::string_view path,
                           std::initializer_list<std::string_view> allowed);
std::string join(std::string_view path, std::string_view key);
/// The member `key` of an object, or nullptr when absent or null.
const json* member(const json& obj, std::string_view key);
/// `j` as a string (valid UTF-8, at most max_bytes); errors name `path`.
result<std::string> string_of(const json& j, const std::string& path, std::size_t max_bytes);

result<std::optional<std::string>> get_string(const json& obj, std::string_view key,
                                              std::string_view path, std::size_t max_bytes = 1024);
/// get_string, absent or null as "".
result<std::string> text_or_empty(const json& obj, std::string_view key, std::string_view path,
                                  std::size_t max_bytes);
result<std::optional<std::int64_t>> get_int(const json& obj, std::string_view key,
                                            std::string_view path);
result<std::optional<bool>> get_bool(const json& obj, std::string_view key, std::string_view path);
/// A JSON number (integer or not), finite.
result<std::optional<double>> get_number(const json& obj, std::string_view key,
                                         std::string_view path);
result<std::optional<Timestamp>> get_time(const json& obj, std::string_view key,
                                          std::string_view path);
result<std::optional<Id>> get_id(const json& obj, std::string_view key, std::string_view path);
result<std::optional<std::vector<std::string>>> get_strings(const json& obj, std::string_view key,
                                                            std::string_view path);

}  // namespace crm::codec
