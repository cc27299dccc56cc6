// src/customer/json.cpp - the public JSON text functions, over the codec.
#include "crm/customer/json.hpp"

#include "customer/codec.hpp"

namespace crm::json {

namespace {
template <class T>
std::string text_of(const T& record) {
    return codec::to_json(record).dump(-1, ' ', false, codec::json::error_handler_t::replace);
}
template <class F>
auto read(std::string_view text, F&& reader) -> decltype(reader(std::declval<const codec::json&>())) {
    CRM_TRY(j, codec::parse(text));
    return reader(j);
}
}  // namespace

std::string to_json(const Party& r) { return text_of(r); }
std::string to_json(const ContactPoint& r) { return text_of(r); }
std::string to_json(const Membership& r) { return text_of(r); }
std::string to_json(const Interaction& r) { return text_of(r); }
std::string to_json(const Activity& r) { return text_of(r); }
std::string to_json(const Purchase& r) { return text_of(r); }
std::string to_json(const FieldDef& r) { return text_of(r); }
std::string to_json(const SearchHit& r) { return text_of(r); }
std::string to_json(const DuplicatePair& r) { return text_of(r); }
std::string to_json(const AuditEntry& r) { return text_of(r); }
std::string to_json(const Event& r) { return text_of(r); }

result<PartyInput> party_input_from_json(std::string_view text) {
    return read(text, [](const auto& j) { return codec::party_input_from_json(j); });
}
result<Interaction> interaction_from_json(std::string_view text) {
    return read(text, [](const auto& j) { return codec::interaction_from_json(j); });
}
result<Activity> activity_from_json(std::string_view text) {
    return read(text, [](const auto& j) { return codec::activity_from_json(j); });
}
result<Purchase> purchase_from_json(std::string_view text) {
    return read(text, [](const auto& j) { return codec::purchase_from_json(j); });
}
result<FieldDef> field_def_from_json(std::string_view text) {
    return read(text, [](const auto& j) { return codec::field_def_from_json(j); });
}

}  // namespace crm::json
