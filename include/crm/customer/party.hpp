// crm/customer/party.hpp - parties (persons and organisations), their
// contact points with per-channel consent, and organisation membership.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/core/id.hpp"
#include "crm/core/time.hpp"
#include "crm/core/value.hpp"

namespace crm {

enum class PartyKind { person, organization };
enum class ContactKind { email, phone, address, social };
enum class ConsentStatus { unknown, opt_in, opt_out };

CRM_API const char* to_string(PartyKind) noexcept;
CRM_API const char* to_string(ContactKind) noexcept;
CRM_API const char* to_string(ConsentStatus) noexcept;
CRM_API result<PartyKind> parse_party_kind(std::string_view s, std::string_view field = "kind");
CRM_API result<ContactKind> parse_contact_kind(std::string_view s, std::string_view field = "kind");
CRM_API result<ConsentStatus> parse_consent_status(std::string_view s,
                                                   std::string_view field = "status");

/// Consent of one channel ("email", "sms", "call", "whatsapp") on one
/// contact point: opted in or out, when, and where the consent came from.
struct Consent {
    std::string channel;
    ConsentStatus status = ConsentStatus::unknown;
    Timestamp at;
    std::string source;
};

/// An e-mail address, phone number, postal address or social handle.
/// `value` is normalised: e-mail with lower-case domain, phone in E.164,
/// social as "network:handle". Phones carry their mobile operator.
struct ContactPoint {
    Id id;
    ContactKind kind = ContactKind::email;
    std::string type;        ///< "work", "home", "mobile", "billing", ...
    std::string value;
    bool primary = false;
    bool verified = false;
    std::string operator_name;  ///< phones: mobile operator, if known
    std::vector<Consent> consents;
};

/// A person or an organisation: the subject of the 360 profile.
struct Party {
    Id id;
    PartyKind kind = PartyKind::person;
    std::string external_id;        ///< the host's key; unique when set
    std::string first_name;         ///< persons
    std::string last_name;          ///< persons
    std::string organization_name;  ///< organisations (and a person's company text)
    std::string national_id;        ///< کد ملی (person) or شناسه ملی (organisation)
    std::string lifecycle_stage;
    std::string owner;
    std::string city;
    std::string country;            ///< ISO 3166 alpha-2
    std::vector<std::string> tags;
    CustomValues custom;
    std::vector<ContactPoint> contacts;
    Timestamp created_at;
    Timestamp updated_at;
    std::int64_t version = 0;       ///< increases with every change
    Id merged_into;                 ///< non-nil once merged away

    /// "first last" for persons, organization_name for organisations.
    CRM_API std::string display_name() const;
};

/// A contact point as written by a caller: `value` in any common spelling.
struct ContactInput {
    ContactKind kind = ContactKind::email;
    std::string value;
    std::string type;
    std::optional<bool> primary;
    std::optional<bool> verified;
    std::vector<Consent> consents;

    /// The common case: `ContactInput::of(ContactKind::phone, "0912...")`.
    static ContactInput of(ContactKind kind, std::string value, std::string type = {}) {
        ContactInput c;
        c.kind = kind;
        c.value = std::move(value);
        c.type = std::move(type);
        return c;
    }
};

/// A write to a party: only the fields that are set change. Used by
/// create (required fields must be set), update and upsert.
struct PartyInput {
    std::optional<PartyKind> kind;
    std::optional<std::string> external_id;
    std::optional<std::string> first_name;
    std::optional<std::string> last_name;
    std::optional<std::string> organization_name;
    std::optional<std::string> national_id;
    std::optional<std::string> lifecycle_stage;
    std::optional<std::string> owner;
    std::optional<std::string> city;
    std::optional<std::string> country;
    std::optional<std::vector<std::string>> tags;  ///< replaces all tags
    std::vector<std::string> add_tags;
    std::vector<std::string> remove_tags;
    /// Set (a value) or clear (null Value) custom fields.
    CustomValues custom;
    /// Ensured present (matched by kind and normalised value); flags and
    /// consents given here update an existing match.
    std::vector<ContactInput> contacts;
    /// Contact points to remove, by id.
    std::vector<Id> remove_contacts;
    /// The host's creation time (imports); defaults to now.
    std::optional<Timestamp> created_at;
};

/// A person's membership of an organisation, with a role ("CFO").
struct Membership {
    Id person;
    Id organization;
    std::string role;
    Timestamp since;
};

}  // namespace crm
