// src/engine/search.cpp - the Engine's search over parties.
#include <algorithm>
#include <unordered_set>

#include "crm/core/email.hpp"
#include "crm/core/limits.hpp"
#include "crm/core/text.hpp"
#include "engine/impl.hpp"

namespace crm {

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
    // A search gathers offset + limit hits to rank them: deeper pages are
    // refused rather than read.
    if (query.offset > limits::search_window - query.limit)
        return fail(errc::invalid_argument,
                    "is beyond the last page a search reads: offset + limit must be at most " +
                        std::to_string(limits::search_window),
                    "offset");
    CRM_TRYV(text::check(query.text, "text", 512));
    CRM_TRYV(text::check(query.tag, "tag", 100));
    const std::string q = text::tidy(query.text);
    const std::string tag = text::tidy(query.tag);
    if (q.empty() && tag.empty())
        return fail(errc::invalid_argument, "give a text or a tag to search for", "text");

    return impl_->read([&](Transaction& tx) -> result<std::vector<SearchHit>> {
        // Hits in order of match strength; a party appears once, under its
        // strongest match. A candidate becomes a hit when it is live and,
        // with a tag given, carries it: the filter runs before the count,
        // so a page is full whenever enough parties match. Only
        // offset+limit hits are needed.
        const std::size_t want = static_cast<std::size_t>(query.offset) + query.limit;
        std::vector<SearchHit> hits;
        std::unordered_set<Id> seen;
        // latin_only: a Persian text's Latin key finds names typed in Latin
        // letters only; its Persian matches came from the name key.
        bool latin_only = false;
        auto add = [&](const std::vector<Id>& ids, const char* how) -> result<void> {
            for (const auto& id : ids) {
                if (hits.size() >= want) break;
                if (seen.count(id)) continue;
                CRM_TRY(b, tx.get_party_brief(id));
                if (!b || !b->merged_into.is_nil()) continue;
                if (latin_only && !text::is_latin_name(b->display_name)) continue;
                seen.insert(id);
                if (!tag.empty() && std::find(b->tags.begin(), b->tags.end(), tag) == b->tags.end())
                    continue;
                hits.push_back(SearchHit{b->id, b->kind, std::move(b->external_id),
                                         std::move(b->display_name), std::move(b->city), how});
            }
            return ok();
        };
        // A lookup that pages (names, tags): page after page until enough
        // hits or no more candidates. fetch(offset, limit) gives the ids.
        auto add_pages = [&](const char* how, auto&& fetch) -> result<void> {
            const int page = static_cast<int>(std::max<std::size_t>(want, 100));
            for (int offset = 0; hits.size() < want; offset += page) {
                CRM_TRY(ids, fetch(offset, page));
                CRM_TRYV(add(ids, how));
                if (static_cast<int>(ids.size()) < page) break;
            }
            return ok();
        };
        auto by_name = [&](const std::string& key, NameMatch match) {
            return [&tx, &key, match](int offset, int limit) {
                return tx.parties_by_name(key, match, offset, limit);
            };
        };
        if (!q.empty()) {
            CRM_TRY(ext, tx.party_by_external_id(q));
            if (!ext.is_nil()) {
                CRM_TRY(p, impl_->load_live_party(tx, ext));
                CRM_TRYV(add({p.id}, "external_id"));
            }
            const std::string digits = text::ascii_digits(q);
            if (all_digits(digits) && (digits.size() == 10 || digits.size() == 11)) {
                CRM_TRY(ids, tx.parties_by_national_id(digits));
                CRM_TRYV(add(ids, "national_id"));
            }
            if (q.find('@') != std::string::npos) {
                if (auto e = email::normalize(q); e) {
                    CRM_TRY(ids, tx.parties_by_contact(ContactKind::email, e.value()));
                    CRM_TRYV(add(ids, "email"));
                }
            }
            if (looks_like_phone(digits)) {
                if (auto ph = phone::parse(q, impl_->options.default_region, impl_->operators.get());
                    ph) {
                    CRM_TRY(ids, tx.parties_by_contact(ContactKind::phone, ph.value().e164));
                    CRM_TRYV(add(ids, "phone"));
                }
            }
            // A text that is an e-mail or a phone number is not a name:
            // skip the name scan, which is the slow part of a search.
            const bool name_like = q.find('@') == std::string::npos && !looks_like_phone(digits);
            const std::string key = name_like ? text::normalize(q) : std::string();
            if (!key.empty()) {
                CRM_TRYV(add_pages("name_prefix", by_name(key, NameMatch::prefix)));
                CRM_TRYV(add_pages("name_contains", by_name(key, NameMatch::contains)));
                // The name in the other script: Mohammad Rezaei finds محمد
                // رضایی and back, by their Latin keys.
                // Short keys and texts with digits (ids) say too little.
                const std::string latin = text::latin_search_key(key);
                const bool digits = std::any_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
                if (latin.size() >= 3 && !digits) {
                    latin_only = !text::is_latin_name(key);
                    CRM_TRYV(add_pages("name_latin", by_name(latin, NameMatch::latin_prefix)));
                    CRM_TRYV(add_pages("name_latin", by_name(latin, NameMatch::latin_contains)));
                }
            }
        } else {
            CRM_TRYV(add_pages("tag", [&](int offset, int limit) {
                return tx.parties_by_tag(tag, offset, limit);
            }));
        }
        if (hits.size() <= static_cast<std::size_t>(query.offset)) return std::vector<SearchHit>{};
        hits.erase(hits.begin(), hits.begin() + query.offset);
        return hits;
    });
}

}  // namespace crm
