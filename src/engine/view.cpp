// src/engine/view.cpp - the Engine's read side: the 360 view and search.
#include <algorithm>
#include <unordered_set>

#include "crm/core/email.hpp"
#include "crm/core/text.hpp"
#include "engine/impl.hpp"

namespace crm {

result<Customer360> Engine::customer_360(const Id& party, int recent_interactions) {
    if (recent_interactions < 0 || recent_interactions > 1000)
        return fail(errc::invalid_argument, "must be 0..1000", "recent_interactions");
    return impl_->read([&](storage::Transaction& tx) -> result<Customer360> {
        Customer360 v;
        CRM_TRY(p, impl_->load_live_party(tx, party));
        v.party = std::move(p);
        const Id& id = v.party.id;
        CRM_TRY(ms, tx.memberships_of(id));
        v.memberships = std::move(ms);
        if (recent_interactions > 0) {
            CRM_TRY(page, tx.interactions(id, TimelineQuery{"", recent_interactions}));
            v.recent_interactions = std::move(page.items);
        }
        CRM_TRY(acts, tx.open_activities(id, 100));
        v.open_activities = std::move(acts);
        CRM_TRY(sums, tx.purchase_summary(id));
        v.purchases = std::move(sums);
        CRM_TRY(merged, tx.merged_from(id));
        v.merged_ids = std::move(merged);
        return v;
    });
}

namespace {

bool looks_like_phone(std::string_view ascii) {
    int digits = 0;
    for (char c : ascii) {
        if (c >= '0' && c <= '9') ++digits;
        else if (c != '+' && c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') return false;
    }
    return digits >= 7;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

result<std::vector<SearchHit>> Engine::search(const SearchQuery& query) {
    if (query.limit < 1 || query.limit > 1000)
        return fail(errc::invalid_argument, "must be 1..1000", "limit");
    if (query.offset < 0) return fail(errc::invalid_argument, "must not be negative", "offset");
    CRM_TRYV(text::check(query.text, "text", 512));
    CRM_TRYV(text::check(query.tag, "tag", 100));
    const std::string q = text::tidy(query.text);
    const std::string tag = text::tidy(query.tag);
    if (q.empty() && tag.empty())
        return fail(errc::invalid_argument, "give a text or a tag to search for", "text");

    return impl_->read([&](storage::Transaction& tx) -> result<std::vector<SearchHit>> {
        // Candidates in order of match strength; a party appears once, under
        // its strongest match. Only offset+limit candidates are needed.
        const std::size_t want = static_cast<std::size_t>(query.offset) + query.limit;
        std::vector<std::pair<Id, const char*>> found;
        std::unordered_set<Id> seen;
        auto add = [&](const std::vector<Id>& ids, const char* how) {
            for (const auto& id : ids)
                if (found.size() < want && seen.insert(id).second) found.emplace_back(id, how);
        };
        if (!q.empty()) {
            CRM_TRY(ext, tx.party_by_external_id(q));
            if (!ext.is_nil()) {
                CRM_TRY(p, impl_->load_live_party(tx, ext));
                add({p.id}, "external_id");
            }
            const std::string digits = text::ascii_digits(q);
            if (all_digits(digits) && (digits.size() == 10 || digits.size() == 11)) {
                CRM_TRY(ids, tx.parties_by_national_id(digits));
                add(ids, "national_id");
            }
            if (q.find('@') != std::string::npos) {
                if (auto e = email::normalize(q); e) {
                    CRM_TRY(ids, tx.parties_by_contact(ContactKind::email, e.value()));
                    add(ids, "email");
                }
            }
            if (looks_like_phone(digits)) {
                if (auto ph = phone::parse(q, impl_->options.default_region, impl_->operators.get());
                    ph) {
                    CRM_TRY(ids, tx.parties_by_contact(ContactKind::phone, ph.value().e164));
                    add(ids, "phone");
                }
            }
            // A text that is an e-mail or a phone number is not a name:
            // skip the name scan, which is the slow part of a search.
            const bool name_like = q.find('@') == std::string::npos && !looks_like_phone(digits);
            const std::string key = name_like ? text::normalize(q) : std::string();
            if (!key.empty() && found.size() < want) {
                CRM_TRY(prefix, tx.parties_by_name(key, storage::NameMatch::prefix, 0,
                                                   static_cast<int>(want)));
                add(prefix, "name_prefix");
            }
            if (!key.empty() && found.size() < want) {
                CRM_TRY(contains, tx.parties_by_name(key, storage::NameMatch::contains, 0,
                                                     static_cast<int>(want + seen.size())));
                add(contains, "name_contains");
            }
        } else {
            CRM_TRY(ids, tx.parties_by_tag(tag, 0, static_cast<int>(want)));
            add(ids, "tag");
        }
        std::vector<SearchHit> hits;
        std::size_t skipped = 0;
        for (const auto& [id, how] : found) {
            CRM_TRY(p, tx.get_party(id));
            if (!p || !p->merged_into.is_nil()) continue;
            if (!tag.empty() && std::find(p->tags.begin(), p->tags.end(), tag) == p->tags.end())
                continue;
            if (skipped++ < static_cast<std::size_t>(query.offset)) continue;
            hits.push_back(SearchHit{p->id, p->kind, p->external_id, p->display_name(), p->city, how});
            if (hits.size() >= static_cast<std::size_t>(query.limit)) break;
        }
        return hits;
    });
}

}  // namespace crm
