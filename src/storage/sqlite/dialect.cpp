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

constexpr Dialect kSqlite{"sqlite",      json_value,   json_array_length,
                          json_elements, json_element, position};

}  // namespace

const Dialect& sqlite_dialect() noexcept { return kSqlite; }

}  // namespace crm::storage
