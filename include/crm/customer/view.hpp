// crm/customer/view.hpp - the read side of the customer context: search,
// duplicate candidates and the merge survivorship rules. The 360 view,
// which gathers every context, is crm/view/customer_360.hpp.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "crm/customer/party.hpp"

namespace crm {

/// Search: `text` is matched against external_id, national id, e-mail,
/// phone (any spelling), and the normalised name (prefix, then contains);
/// `tag` filters by tag. Results are ordered by match strength, then name.
/// A search: by `text` (external id, national id, e-mail, phone in any
/// spelling, then name prefix, then name contains), or by `tag`, or both
/// (the text's matches that carry the tag). Hits come in that order of
/// match strength, each party once; `offset` and `limit` page them.
struct SearchQuery {
    std::string text;
    std::string tag;
    int limit = 20;   ///< 1..1000
    int offset = 0;   ///< 0..limits::search_window - limit
};

struct SearchHit {
    Id id;
    PartyKind kind = PartyKind::person;
    std::string external_id;
    std::string display_name;
    std::string city;
    /// "external_id", "national_id", "email", "phone", "name_prefix",
    /// "name_contains", "name_latin" (the name in the other script, by
    /// text::latin_key: Mohammad Rezaei and محمد رضایی), "tag"
    std::string matched;
};

/// A field a duplicate rule compares.
enum class MatchField { phone, email, national_id, name, city, organization };
CRM_API const char* to_string(MatchField) noexcept;
CRM_API result<MatchField> parse_match_field(std::string_view s, std::string_view field = "field");

/// One condition of a rule: the field is equal (min_similarity 1) or at
/// least that similar (names, by normalised Jaro-Winkler; word order free).
struct MatchCondition {
    MatchField field = MatchField::name;
    double min_similarity = 1.0;
};

/// A duplicate rule: when all conditions hold, the pair scores `score`.
struct MatchRule {
    std::string name;
    std::vector<MatchCondition> all_of;
    double score = 0.5;
};

struct DuplicateOptions {
    /// Empty: the built-in rules (same national id, same phone, same
    /// e-mail, similar name in the same city or organisation).
    std::vector<MatchRule> rules;
    /// Pairs below this score are left out. The built-in "similar name in
    /// the same city" rule scores 0.6: lower min_score to 0.6 to review those.
    double min_score = 0.7;
    int limit = 1000;
};

/// A candidate pair: both parties, the best score, and every rule that held.
struct DuplicatePair {
    Id a;
    Id b;
    std::string a_external_id;
    std::string b_external_id;
    double score = 0;
    std::vector<std::string> reasons;
};

/// Which side's value a merge keeps for a field.
enum class Survivorship {
    survivor,  ///< the survivor's, or the merged party's when the survivor's is empty
    merged,    ///< the merged party's when non-empty
    newest,    ///< from the party updated most recently, when non-empty
};

CRM_API const char* to_string(Survivorship) noexcept;
CRM_API result<Survivorship> parse_survivorship(std::string_view s, std::string_view field = "rule");

/// Field-level survivorship for merge. Fields: first_name, last_name,
/// organization_name, national_id, lifecycle_stage, owner, city, country,
/// external_id and "custom.NAME". Tags and contact points are united.
struct MergeRules {
    Survivorship default_rule = Survivorship::survivor;
    std::map<std::string, Survivorship> fields;
};

}  // namespace crm
