// storage/sqlite/dialect.cpp - SQLite's SQL where dialects differ.
#include "crm/storage/dialect.hpp"

namespace crm::storage {
namespace {

std::string json_value(std::string_view json, std::string_view path) {
    return "json_extract(" + std::string(json) + ", '" + std::string(path) + "')";
}

std::string json_array_length(std::string_view json) {
    return "json_array_length(" + std::string(json) + ")";
}

std::string json_elements(std::string_view json, std::string_view alias) {
    return "json_each(" + std::string(json) + ") AS " + std::string(alias);
}

std::string json_element(std::string_view alias) { return std::string(alias) + ".value"; }

std::string position(std::string_view haystack, std::string_view needle) {
    return "instr(" + std::string(haystack) + ", " + std::string(needle) + ")";
}

std::string json_set(std::string_view json, std::string_view path, std::string_view value) {
    return "json_set(" + std::string(json) + ", '" + std::string(path) + "', " + std::string(value) + ")";
}

std::string indexed(std::string_view table, std::string_view index) {
    return std::string(table) + " INDEXED BY " + std::string(index);
}

constexpr Dialect kSqlite{"sqlite",     json_value, json_array_length, json_elements,
                          json_element, position,   json_set,          indexed};

}  // namespace

const Dialect& sqlite_dialect() noexcept { return kSqlite; }

}  // namespace crm::storage
