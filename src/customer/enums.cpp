// src/customer/enums.cpp - the text forms of the customer context's enums.
#include "core/enum_names.hpp"
#include "crm/customer/custom_field.hpp"
#include "crm/customer/party.hpp"
#include "crm/customer/timeline.hpp"
#include "crm/customer/view.hpp"

namespace crm {

CRM_ENUM_NAMES(PartyKind, parse_party_kind, {PartyKind::person, "person"},
               {PartyKind::organization, "organization"})
CRM_ENUM_NAMES(ContactKind, parse_contact_kind, {ContactKind::email, "email"},
               {ContactKind::phone, "phone"}, {ContactKind::address, "address"},
               {ContactKind::social, "social"})
CRM_ENUM_NAMES(ConsentStatus, parse_consent_status, {ConsentStatus::unknown, "unknown"},
               {ConsentStatus::opt_in, "opt_in"}, {ConsentStatus::opt_out, "opt_out"})
CRM_ENUM_NAMES(Channel, parse_channel, {Channel::call, "call"}, {Channel::email, "email"},
               {Channel::sms, "sms"}, {Channel::meeting, "meeting"}, {Channel::chat, "chat"},
               {Channel::social, "social"}, {Channel::portal, "portal"},
               {Channel::visit, "visit"}, {Channel::other, "other"},
               {Channel::whatsapp, "whatsapp"})
CRM_ENUM_NAMES(Direction, parse_direction, {Direction::inbound, "inbound"},
               {Direction::outbound, "outbound"}, {Direction::internal, "internal"})
CRM_ENUM_NAMES(ActivityKind, parse_activity_kind, {ActivityKind::task, "task"},
               {ActivityKind::call, "call"}, {ActivityKind::meeting, "meeting"})
CRM_ENUM_NAMES(ActivityStatus, parse_activity_status, {ActivityStatus::open, "open"},
               {ActivityStatus::done, "done"}, {ActivityStatus::cancelled, "cancelled"})
CRM_ENUM_NAMES(FieldType, parse_field_type_named, {FieldType::text, "text"},
               {FieldType::integer, "integer"}, {FieldType::decimal, "decimal"},
               {FieldType::money, "money"}, {FieldType::boolean, "boolean"},
               {FieldType::date, "date"}, {FieldType::enumeration, "enum"},
               {FieldType::multi_enum, "multi_enum"}, {FieldType::sheba, "sheba"},
               {FieldType::bank_card, "bank_card"}, {FieldType::postal_code, "postal_code"})
CRM_ENUM_NAMES(MatchField, parse_match_field, {MatchField::phone, "phone"},
               {MatchField::email, "email"}, {MatchField::national_id, "national_id"},
               {MatchField::name, "name"}, {MatchField::city, "city"},
               {MatchField::organization, "organization"})

CRM_ENUM_NAMES(Survivorship, parse_survivorship, {Survivorship::survivor, "survivor"},
               {Survivorship::merged, "merged"}, {Survivorship::newest, "newest"})

result<FieldType> parse_field_type(std::string_view s) { return parse_field_type_named(s, "type"); }

}  // namespace crm
