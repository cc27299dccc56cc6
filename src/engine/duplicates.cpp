// src/engine/duplicates.cpp - duplicate candidates (blocking, then rules
// scored pair by pair) and the transactional merge with survivorship.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "crm/core/email.hpp"
#include "crm/core/text.hpp"
#include "engine/impl.hpp"

namespace crm {

using codec::json;

namespace {

// What duplicate detection needs of a party, normalised once.
struct Profile {
    Id id;
    std::string external_id;
    PartyKind kind;
    std::string name;         // normalised display name
    std::string sorted_name;  // its words sorted: "first last" == "last first"
    std::string city;
    std::string latin;       // text::latin_key of the name
    std::string latin_city;  // text::latin_search_key of the city
    bool latin_script = false;  // the name is typed in Latin letters
    std::string organization;
    std::string national_id;
    std::vector<std::string> phones;
    std::vector<std::string> emails;  // match keys
};

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
        auto end = s.find(' ', start);
        if (end == std::string::npos) end = s.size();
        if (end > start) out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

Profile profile_of(const Party& p) {
    Profile f;
    f.id = p.id;
    f.external_id = p.external_id;
    f.kind = p.kind;
    f.name = text::normalize(p.display_name());
    auto w = words(f.name);
    std::sort(w.begin(), w.end());
    for (const auto& x : w) f.sorted_name += (f.sorted_name.empty() ? "" : " ") + x;
    f.city = text::normalize(p.city);
    f.latin_script = text::is_latin_name(f.name);
    f.latin = text::latin_key(f.name);
    f.latin_city = text::latin_search_key(f.city);
    f.organization = p.kind == PartyKind::person ? text::normalize(p.organization_name) : std::string();
    f.national_id = p.national_id;
    for (const auto& c : p.contacts) {
        if (c.kind == ContactKind::phone) f.phones.push_back(c.value);
        if (c.kind == ContactKind::email) f.emails.push_back(email::match_key(c.value));
    }
    return f;
}

bool share(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    for (const auto& x : a)
        if (std::find(b.begin(), b.end(), x) != b.end()) return true;
    return false;
}

// A name typed in Latin letters on either side: the two are compared by
// their Latin keys (Mohammad Rezaei, Mohamad Rezayi, محمد رضایی), and so
// are their cities (Tehran, تهران).
bool finglish(const Profile& a, const Profile& b) { return a.latin_script || b.latin_script; }

double name_similarity(const Profile& a, const Profile& b) {
    if (a.name.empty() || b.name.empty()) return 0;
    // Spaces and ZWNJ are written inconsistently in Persian names: compare
    // with and without them, and with word order free.
    const double same_script =
        std::max({text::similarity(a.name, b.name), text::similarity(a.sorted_name, b.sorted_name),
                  text::similarity(text::compact_key(a.name), text::compact_key(b.name))});
    if (!finglish(a, b)) return same_script;
    // Across scripts only the Latin keys say anything; between two Latin
    // spellings they decide as well (Hasan and Hossein are alike letters).
    return text::latin_key_similarity(a.latin, b.latin);
}

bool holds(const MatchCondition& c, const Profile& a, const Profile& b, double& name_sim) {
    switch (c.field) {
        case MatchField::phone: return share(a.phones, b.phones);
        case MatchField::email: return share(a.emails, b.emails);
        case MatchField::national_id:
            return !a.national_id.empty() && a.national_id == b.national_id;
        case MatchField::name:
            if (name_sim < 0) name_sim = name_similarity(a, b);
            return name_sim >= c.min_similarity;
        case MatchField::city:
            if (finglish(a, b)) return !a.latin_city.empty() && a.latin_city == b.latin_city;
            return !a.city.empty() && a.city == b.city;
        case MatchField::organization:
            return !a.organization.empty() && !b.organization.empty() &&
                   (c.min_similarity >= 1 ? a.organization == b.organization
                                          : text::similarity(a.organization, b.organization) >=
                                                c.min_similarity);
    }
    return false;
}

bool identifies(const MatchRule& r) {
    return std::any_of(r.all_of.begin(), r.all_of.end(), [](const MatchCondition& c) {
        return c.field == MatchField::phone || c.field == MatchField::email ||
               c.field == MatchField::national_id;
    });
}

// Two parties whose phones and e-mails are all known and all different are
// different people, whatever their names say: common names are common.
bool contacts_conflict(const Profile& a, const Profile& b) {
    const bool phones = !a.phones.empty() && !b.phones.empty() && !share(a.phones, b.phones);
    const bool emails = !a.emails.empty() && !b.emails.empty() && !share(a.emails, b.emails);
    return (phones && emails) || (phones && (a.emails.empty() || b.emails.empty())) ||
           (emails && (a.phones.empty() || b.phones.empty()));
}

std::vector<MatchRule> builtin_rules() {
    using F = MatchField;
    return {
        {"same national id", {{F::national_id, 1}}, 0.99},
        {"same phone and similar name", {{F::phone, 1}, {F::name, 0.8}}, 0.95},
        {"same email and similar name", {{F::email, 1}, {F::name, 0.8}}, 0.95},
        {"same phone", {{F::phone, 1}}, 0.7},
        {"same email", {{F::email, 1}}, 0.7},
        {"similar name in the same organization", {{F::name, 0.9}, {F::organization, 0.9}}, 0.8},
        {"similar name in the same city", {{F::name, 0.9}, {F::city, 1}}, 0.6},
    };
}

result<void> check_rules(const std::vector<MatchRule>& rules) {
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const std::string path = "rules[" + std::to_string(i) + "]";
        CRM_TRYV(text::check(rules[i].name, path + ".name", 200));
        if (rules[i].all_of.empty())
            return fail(errc::invalid_argument, "needs at least one condition", path + ".all_of");
        if (!(rules[i].score > 0 && rules[i].score <= 1))
            return fail(errc::invalid_argument, "must be in (0, 1]", path + ".score");
        for (std::size_t k = 0; k < rules[i].all_of.size(); ++k)
            if (!(rules[i].all_of[k].min_similarity > 0 && rules[i].all_of[k].min_similarity <= 1))
                return fail(errc::invalid_argument, "must be in (0, 1]",
                            path + ".all_of[" + std::to_string(k) + "].min_similarity");
    }
    return ok();
}

// The first three letters of a word: names that differ by a typo later in
// the word still meet in a block.
std::string stem(const std::string& w) {
    std::size_t n = 0, i = 0;
    while (i < w.size() && n < 3) {
        ++i;
        while (i < w.size() && (static_cast<unsigned char>(w[i]) & 0xC0) == 0x80) ++i;
        ++n;
    }
    return w.substr(0, i);
}

}  // namespace

result<std::vector<DuplicatePair>> Engine::find_duplicates(const DuplicateOptions& options) {
    if (options.limit < 1) return fail(errc::invalid_argument, "must be positive", "limit");
    if (!(options.min_score >= 0 && options.min_score <= 1))
        return fail(errc::invalid_argument, "must be in [0, 1]", "min_score");
    CRM_TRYV(check_rules(options.rules));
    const std::vector<MatchRule> rules = options.rules.empty() ? builtin_rules() : options.rules;

    std::vector<Profile> profiles;
    CRM_TRYV(impl_->read([&](Transaction& tx) {
        return tx.for_each_party(Id{}, [&](const Party& p) {
            profiles.push_back(profile_of(p));
            return true;
        });
    }));

    // Blocking: only parties that share a block are compared.
    constexpr std::size_t kMaxBlock = 400;
    std::unordered_map<std::string, std::vector<std::uint32_t>> blocks;
    for (std::uint32_t i = 0; i < profiles.size(); ++i) {
        const Profile& f = profiles[i];
        for (const auto& ph : f.phones) blocks["p" + ph].push_back(i);
        for (const auto& e : f.emails) blocks["e" + e].push_back(i);
        if (!f.national_id.empty()) blocks["n" + f.national_id].push_back(i);
        for (const auto& w : words(f.name)) {
            const std::string s = stem(w);
            blocks["c" + f.city + "|" + s].push_back(i);
            if (!f.organization.empty()) blocks["o" + f.organization + "|" + s].push_back(i);
        }
        // Latin-key blocks pair a name typed in Latin letters with the same
        // name in either script; pairs of two Persian names are left to
        // the blocks above, as they always were.
        // The looser search key: Mohammad's weak o must not keep it from محمد.
        for (const auto& w : words(text::latin_search_key(f.name)))
            blocks["l" + f.latin_city + "|" + w.substr(0, 3)].push_back(i);
    }
    std::unordered_set<std::uint64_t> compared;
    std::vector<DuplicatePair> pairs;
    for (const auto& [key, members] : blocks) {
        if (members.size() < 2) continue;
        const bool identifying = key[0] == 'p' || key[0] == 'e' || key[0] == 'n';
        if (!identifying && members.size() > kMaxBlock) continue;
        const bool latin_block = key[0] == 'l';
        for (std::size_t x = 0; x < members.size(); ++x)
            for (std::size_t y = x + 1; y < members.size(); ++y) {
                std::uint32_t i = members[x], j = members[y];
                if (i == j) continue;
                if (i > j) std::swap(i, j);
                if (latin_block && !profiles[i].latin_script && !profiles[j].latin_script) continue;
                if (!compared.insert(std::uint64_t(i) << 32 | j).second) continue;
                const Profile& a = profiles[i];
                const Profile& b = profiles[j];
                if (!a.national_id.empty() && !b.national_id.empty() && a.national_id != b.national_id)
                    continue;
                const bool conflict = contacts_conflict(a, b);
                double name_sim = -1;
                DuplicatePair pair{a.id, b.id, a.external_id, b.external_id, 0, {}};
                for (const auto& r : rules) {
                    if (conflict && !identifies(r)) continue;
                    if (std::all_of(r.all_of.begin(), r.all_of.end(),
                                    [&](const MatchCondition& c) { return holds(c, a, b, name_sim); })) {
                        pair.score = std::max(pair.score, r.score);
                        pair.reasons.push_back(r.name);
                    }
                }
                if (!pair.reasons.empty() && pair.score >= options.min_score)
                    pairs.push_back(std::move(pair));
            }
    }
    std::sort(pairs.begin(), pairs.end(), [](const DuplicatePair& x, const DuplicatePair& y) {
        if (x.score != y.score) return x.score > y.score;
        return std::tie(x.a, x.b) < std::tie(y.a, y.b);
    });
    if (pairs.size() > static_cast<std::size_t>(options.limit))
        pairs.resize(static_cast<std::size_t>(options.limit));
    return pairs;
}

// ---- merge ---------------------------------------------------------------

namespace {

bool empty_value(const std::string& s) { return s.empty(); }
bool empty_value(const Value& v) { return is_null(v); }

template <class T>
void survive(const T& theirs, T& ours, Survivorship rule, bool theirs_newer) {
    const bool take = rule == Survivorship::merged
                          ? !empty_value(theirs)
                          : rule == Survivorship::newest
                                ? !empty_value(theirs) && (theirs_newer || empty_value(ours))
                                : empty_value(ours);
    if (take) ours = theirs;
}

}  // namespace

result<Party> Engine::merge(const Context& ctx, const Id& survivor, const std::vector<Id>& merged,
                            const MergeRules& rules) {
    CRM_TRYV(text::check(ctx.actor, "context.actor", 200));
    if (merged.empty()) return fail(errc::invalid_argument, "names no party to merge", "merged");
    static const std::unordered_set<std::string> kFields = {
        "first_name", "last_name", "organization_name", "national_id", "lifecycle_stage",
        "owner",      "city",      "country",           "external_id"};
    for (const auto& [name, rule] : rules.fields)
        if (!kFields.count(name) && name.rfind("custom.", 0) != 0)
            return fail(errc::invalid_argument, "is not a field merge can choose", "fields." + name);
    auto rule_of = [&](const std::string& f) {
        auto it = rules.fields.find(f);
        return it == rules.fields.end() ? rules.default_rule : it->second;
    };
    return impl_->write([&](Transaction& tx) -> result<Party> {
        CRM_TRY(s, impl_->load_live_party(tx, survivor, "survivor"));
        const Party original = s;
        std::vector<Id> done;
        for (std::size_t i = 0; i < merged.size(); ++i) {
            const std::string path = "merged[" + std::to_string(i) + "]";
            CRM_TRY(m, tx.get_party(merged[i]));
            if (!m) return fail(errc::not_found, "no party with id " + merged[i].str(), path);
            if (!m->merged_into.is_nil())
                return fail(errc::conflict, "was already merged into " + m->merged_into.str(), path);
            if (m->id == s.id) return fail(errc::invalid_argument, "is the survivor itself", path);
            if (std::find(done.begin(), done.end(), m->id) != done.end())
                return fail(errc::invalid_argument, "is named twice", path);
            if (m->kind != s.kind)
                return fail(errc::invalid_argument, "a person and an organization cannot merge", path);
            const bool newer = m->updated_at > s.updated_at;
            survive(m->first_name, s.first_name, rule_of("first_name"), newer);
            survive(m->last_name, s.last_name, rule_of("last_name"), newer);
            survive(m->organization_name, s.organization_name, rule_of("organization_name"), newer);
            survive(m->national_id, s.national_id, rule_of("national_id"), newer);
            survive(m->lifecycle_stage, s.lifecycle_stage, rule_of("lifecycle_stage"), newer);
            survive(m->owner, s.owner, rule_of("owner"), newer);
            survive(m->city, s.city, rule_of("city"), newer);
            survive(m->country, s.country, rule_of("country"), newer);
            const std::string old_external = s.external_id;
            survive(m->external_id, s.external_id, rule_of("external_id"), newer);
            for (const auto& [name, value] : m->custom) {
                Value& ours = s.custom[name];
                survive(value, ours, rule_of("custom." + name), newer);
                if (is_null(ours)) s.custom.erase(name);
            }
            for (const auto& t : m->tags)
                if (std::find(s.tags.begin(), s.tags.end(), t) == s.tags.end()) s.tags.push_back(t);
            for (auto c : m->contacts) {
                // Equal as the lookup compares them: e-mail addresses
                // that differ only in case are one contact point.
                const std::string key = contact_index_key(c.kind, c.value);
                auto same = std::find_if(s.contacts.begin(), s.contacts.end(), [&](const ContactPoint& o) {
                    return o.kind == c.kind && contact_index_key(o.kind, o.value) == key;
                });
                if (same == s.contacts.end()) {
                    c.primary = false;
                    s.contacts.push_back(std::move(c));
                } else {
                    same->verified = same->verified || c.verified;
                    for (const auto& consent : c.consents) {
                        auto mine = std::find_if(same->consents.begin(), same->consents.end(),
                                                 [&](const Consent& x) { return x.channel == consent.channel; });
                        if (mine == same->consents.end()) same->consents.push_back(consent);
                        else if (consent.at > mine->at) *mine = consent;
                    }
                }
            }
            if (m->created_at < s.created_at) s.created_at = m->created_at;
            // The tombstone keeps its own external id (so it still resolves)
            // unless the survivor has just taken it.
            Party tomb = std::move(*m);
            if (s.external_id != old_external && s.external_id == tomb.external_id)
                tomb.external_id.clear();
            tomb.merged_into = s.id;
            tomb.updated_at = impl_->now();
            ++tomb.version;
            if (!old_external.empty() && s.external_id != old_external) {
                // The survivor gave up its external id; nothing may point at it.
                return fail(errc::invalid_argument,
                            "the survivor's external id cannot be replaced by a merge",
                            "fields.external_id");
            }
            CRM_TRYV(impl_->store_party(tx, tomb));
            PartyChange merging = PartyChange::of(s.id, 0);
            merging.merged_from = tomb.id;
            CRM_TRYV(impl_->changed(tx, merging));
            CRM_TRYV(tx.reassign_party(tomb.id, s.id));
            CRM_TRYV(tx.put_merge(tomb.id, s.id, impl_->now()));
            // Parties merged into the merged one earlier now point at the survivor.
            CRM_TRY(earlier, tx.merged_from(tomb.id));
            for (const auto& e : earlier) CRM_TRYV(tx.put_merge(e, s.id, impl_->now()));
            CRM_TRYV(impl_->record(tx, ctx, "party", tomb.id, "merged_away",
                                   {{"merged_into", "null", codec::json(s.id.str()).dump()}},
                                   "party.merged_away",
                                   {{"id", tomb.id.str()}, {"survivor", s.id.str()}}));
            done.push_back(tomb.id);
        }
        s.updated_at = impl_->now();
        s.version = original.version + 1;
        // Stored without the profile hook: the survivor now has the merged
        // parties' purchases, tickets, ..., so its profile is built whole,
        // once, and so are those of the persons who belonged to a merged
        // organisation.
        CRM_TRYV(tx.put_party(s, name_key(s)));
        CRM_TRYV(impl_->changed(tx, PartyChange::of(s.id, PartyChange::everything, &s)));
        if (s.kind == PartyKind::organization) {
            CRM_TRY(members, tx.memberships_of(s.id));
            for (const auto& m : members)
                if (m.person != s.id)
                    CRM_TRYV(impl_->changed(tx, PartyChange::of(m.person, PartyChange::memberships)));
        }
        const auto after = codec::party_fields(s);
        json ids = json::array();
        for (const auto& d : done) ids.push_back(d.str());
        auto changes = codec::diff(codec::party_fields(original), after);
        changes.push_back({"merged", "null", ids.dump()});
        CRM_TRYV(impl_->record(tx, ctx, "party", s.id, "merge", std::move(changes), "party.merged",
                               "{\"survivor\":" + codec::object_text(after) + ",\"merged\":" + ids.dump() + "}"));
        return s;
    });
}

}  // namespace crm
