// src/marketing/profile.cpp - party profiles: computing each part, and one
// table of fields that gives the schema, the in-memory values and the
// SQLite columns alike, so the two backends cannot disagree on a field.
#include "marketing/profile.hpp"

#include <algorithm>
#include <climits>

#include "core/clean.hpp"
#include "crm/core/text.hpp"

namespace crm::marketing {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

std::string key(std::string_view s) { return text::normalize(s); }

// Sums and instants that cannot overflow: they stop at the int64 bounds.
std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
    std::int64_t out = 0;
    if (!__builtin_add_overflow(a, b, &out)) return out;
    return b > 0 ? INT64_MAX : INT64_MIN;
}

Value opt_time(const std::optional<Timestamp>& t) {
    if (!t) return std::monostate{};
    return t->ms;
}

Value score(int s) {
    if (s <= 0) return std::monostate{};
    return std::int64_t{s};
}

// One built-in profile field: its rule name and type, how a profile gives
// its value, and the SQL expression reading it from party_profile.
struct FieldSpec {
    const char* name;
    expr::Type type;
    Value (*get)(const PartyProfile&);
    const char* sql;
    bool money = false;  // a sum, in the settings' currency
    // Money whose values carry their own currency: the SQL reading it.
    const char* currency_sql = nullptr;
};

#define CRM_CLV_OF(col) "(SELECT " col " FROM party_clv c WHERE c.party_id = party_profile.party_id)"

Value decimal_text(const std::string& s) {
    if (s.empty()) return std::monostate{};
    return s;
}

#define CRM_INT(expr_) [](const PartyProfile& p) -> Value { return std::int64_t{expr_}; }
#define CRM_WINDOW(i)                                                                   \
    FieldSpec{"purchases.count_" #i "d", expr::Type::integer,                            \
              [](const PartyProfile& p) -> Value { return p.window_count[window_of(i)]; }, \
              "c" #i},                                                                    \
        FieldSpec {                                                                       \
        "purchases.sum_" #i "d", expr::Type::money,                                       \
            [](const PartyProfile& p) -> Value { return p.window_sum[window_of(i)]; },    \
            "s" #i, true                                                                  \
    }
#define CRM_CHANNEL(name_, c)                                                            \
    FieldSpec {                                                                          \
        "last_interaction." name_, expr::Type::timestamp,                               \
            [](const PartyProfile& p) -> Value {                                         \
                return opt_time(p.last_interaction[static_cast<int>(Channel::c)]);       \
            },                                                                           \
            "i_" name_                                                                   \
    }

constexpr std::size_t window_of(int days) {
    for (std::size_t i = 0; i < kPurchaseWindows.size(); ++i)
        if (kPurchaseWindows[i] == days) return i;
    return 0;
}

const std::vector<FieldSpec>& specs() {
    static const std::vector<FieldSpec> all = {
        {"kind", expr::Type::text,
         [](const PartyProfile& p) -> Value { return std::string(to_string(p.kind)); }, "kind"},
        {"lifecycle_stage", expr::Type::text,
         [](const PartyProfile& p) -> Value { return p.lifecycle_stage; }, "lifecycle_stage"},
        {"owner", expr::Type::text, [](const PartyProfile& p) -> Value { return p.owner; },
         "owner"},
        {"city", expr::Type::text, [](const PartyProfile& p) -> Value { return p.city; }, "city"},
        {"country", expr::Type::text, [](const PartyProfile& p) -> Value { return p.country; },
         "country"},
        {"tags", expr::Type::text_list, [](const PartyProfile& p) -> Value { return p.tags; },
         "tags"},
        {"created_at", expr::Type::timestamp,
         [](const PartyProfile& p) -> Value { return p.created_at.ms; }, "created_at"},
        {"consent.email", expr::Type::boolean,
         [](const PartyProfile& p) -> Value { return p.consent_email; }, "consent_email"},
        {"consent.sms", expr::Type::boolean,
         [](const PartyProfile& p) -> Value { return p.consent_sms; }, "consent_sms"},
        {"consent.call", expr::Type::boolean,
         [](const PartyProfile& p) -> Value { return p.consent_call; }, "consent_call"},
        {"consent.whatsapp", expr::Type::boolean,
         [](const PartyProfile& p) -> Value { return p.consent_whatsapp; }, "consent_whatsapp"},
        {"organizations", expr::Type::text_list,
         [](const PartyProfile& p) -> Value { return p.organizations; }, "organizations"},
        {"purchases.count", expr::Type::integer, CRM_INT(p.purchase_count), "p_count"},
        {"purchases.sum", expr::Type::money,
         [](const PartyProfile& p) -> Value { return p.purchase_sum; }, "p_sum", true},
        {"purchases.first_at", expr::Type::timestamp,
         [](const PartyProfile& p) -> Value { return opt_time(p.first_purchase); }, "p_first"},
        {"purchases.last_at", expr::Type::timestamp,
         [](const PartyProfile& p) -> Value { return opt_time(p.last_purchase); }, "p_last"},
        CRM_WINDOW(30),
        CRM_WINDOW(90),
        CRM_WINDOW(180),
        CRM_WINDOW(365),
        {"rfm.recency", expr::Type::integer,
         [](const PartyProfile& p) { return score(p.rfm_recency); }, "NULLIF(rfm_r, 0)"},
        {"rfm.frequency", expr::Type::integer,
         [](const PartyProfile& p) { return score(p.rfm_frequency); }, "NULLIF(rfm_f, 0)"},
        {"rfm.monetary", expr::Type::integer,
         [](const PartyProfile& p) { return score(p.rfm_monetary); }, "NULLIF(rfm_m, 0)"},
        {"rfm.score", expr::Type::integer,
         [](const PartyProfile& p) -> Value {
             if (p.rfm_recency <= 0) return std::monostate{};
             return std::int64_t{p.rfm_recency * 100 + p.rfm_frequency * 10 + p.rfm_monetary};
         },
         "NULLIF(rfm_r * 100 + rfm_f * 10 + rfm_m, 0)"},
        CRM_CHANNEL("call", call),
        CRM_CHANNEL("email", email),
        CRM_CHANNEL("sms", sms),
        CRM_CHANNEL("meeting", meeting),
        CRM_CHANNEL("chat", chat),
        CRM_CHANNEL("social", social),
        CRM_CHANNEL("portal", portal),
        CRM_CHANNEL("visit", visit),
        CRM_CHANNEL("other", other),
        CRM_CHANNEL("whatsapp", whatsapp),
        {"last_interaction.any", expr::Type::timestamp,
         [](const PartyProfile& p) -> Value {
             std::optional<Timestamp> last;
             for (const auto& t : p.last_interaction)
                 if (t && (!last || t->ms > last->ms)) last = t;
             return opt_time(last);
         },
         "NULLIF(max(coalesce(i_call, (-9223372036854775807 - 1)), coalesce(i_email, (-9223372036854775807 - 1)), "
         "coalesce(i_sms, (-9223372036854775807 - 1)), coalesce(i_meeting, (-9223372036854775807 - 1)), "
         "coalesce(i_chat, (-9223372036854775807 - 1)), coalesce(i_social, (-9223372036854775807 - 1)), "
         "coalesce(i_portal, (-9223372036854775807 - 1)), coalesce(i_visit, (-9223372036854775807 - 1)), "
         "coalesce(i_other, (-9223372036854775807 - 1)), coalesce(i_whatsapp, (-9223372036854775807 - 1))), "
         "(-9223372036854775807 - 1))"},
        {"clv.value", expr::Type::money,
         [](const PartyProfile& p) -> Value {
             if (!p.clv_value) return std::monostate{};
             return *p.clv_value;
         },
         CRM_CLV_OF("value_minor"), false, CRM_CLV_OF("currency")},
        {"clv.p_alive", expr::Type::decimal,
         [](const PartyProfile& p) { return decimal_text(p.clv_p_alive); }, CRM_CLV_OF("p_alive")},
        {"clv.expected_purchases", expr::Type::decimal,
         [](const PartyProfile& p) { return decimal_text(p.clv_expected_purchases); },
         CRM_CLV_OF("expected_purchases")},
        {"tickets.count", expr::Type::integer, CRM_INT(p.tickets), "t_all"},
        {"tickets.open", expr::Type::integer, CRM_INT(p.open_tickets), "t_open"},
        {"tickets.complaints", expr::Type::integer, CRM_INT(p.complaints), "t_complaints"},
        {"campaigns.sent", expr::Type::integer, CRM_INT(p.campaigns_sent), "m_sent"},
        {"campaigns.opened", expr::Type::integer, CRM_INT(p.campaigns_opened), "m_opened"},
        {"campaigns.clicked", expr::Type::integer, CRM_INT(p.campaigns_clicked), "m_clicked"},
        {"campaigns.responded", expr::Type::integer, CRM_INT(p.campaigns_responded),
         "m_responded"},
        {"campaigns.converted", expr::Type::integer, CRM_INT(p.campaigns_converted),
         "m_converted"},
    };
    return all;
}

#undef CRM_INT
#undef CRM_WINDOW
#undef CRM_CHANNEL
#undef CRM_CLV_OF

const FieldSpec* spec_of(std::string_view name) {
    for (const auto& s : specs())
        if (name == s.name) return &s;
    return nullptr;
}

bool opted_in(const Party& party, std::string_view channel) {
    for (const auto& c : party.contacts)
        for (const auto& consent : c.consents)
            if (consent.channel == channel && consent.status == ConsentStatus::opt_in) return true;
    return false;
}

int rank(std::int64_t v, const std::array<std::int64_t, 4>& cutoffs) {
    int s = 1;
    for (auto c : cutoffs)
        if (v >= c) ++s;
    return s;
}

}  // namespace

}  // namespace crm::marketing

namespace crm {

std::int64_t sample_key(std::string_view id_text, std::uint64_t seed) noexcept {
    std::uint64_t h = 14695981039346656037ULL;  // FNV-1a, then splitmix64's finaliser
    for (unsigned char c : id_text) h = (h ^ c) * 1099511628211ULL;
    std::uint64_t x = h ^ (seed * 0x9E3779B97F4A7C15ull);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return static_cast<std::int64_t>(x ^ (x >> 31));
}

}  // namespace crm

namespace crm::marketing {

void set_clv_part(PartyProfile& p, const std::optional<ClvScore>& score) {
    p.clv_value.reset();
    p.clv_p_alive.clear();
    p.clv_expected_purchases.clear();
    if (!score) return;
    p.clv_value = score->value;
    p.clv_p_alive = millionths(score->p_alive);
    p.clv_expected_purchases = millionths(score->expected_purchases);
}

void set_party_part(PartyProfile& p, const Party& party) {
    p.party = party.id;
    p.kind = party.kind;
    p.lifecycle_stage = key(party.lifecycle_stage);
    p.owner = key(party.owner);
    p.city = key(party.city);
    p.country = key(party.country);
    p.tags.clear();
    for (const auto& t : party.tags)
        if (auto k = key(t); !k.empty()) p.tags.push_back(std::move(k));
    std::sort(p.tags.begin(), p.tags.end());
    p.tags.erase(std::unique(p.tags.begin(), p.tags.end()), p.tags.end());
    p.custom = party.custom;
    p.created_at = party.created_at;
    p.consent_email = opted_in(party, "email");
    p.consent_sms = opted_in(party, "sms");
    p.consent_call = opted_in(party, "call");
    p.consent_whatsapp = opted_in(party, "whatsapp");
}

void score_rfm(PartyProfile& p, const RfmCutoffs& rfm) {
    if (!rfm.set || p.purchase_count == 0 || !p.last_purchase) {
        p.rfm_recency = p.rfm_frequency = p.rfm_monetary = 0;
        return;
    }
    p.rfm_recency = rank(p.last_purchase->ms, rfm.recency);
    p.rfm_frequency = rank(p.purchase_count, rfm.frequency);
    p.rfm_monetary = rank(p.purchase_sum, rfm.monetary);
}

void set_purchase_part(PartyProfile& p, std::span<const Purchase> purchases,
                       std::string_view currency, Timestamp now, const RfmCutoffs& rfm) {
    p.purchase_count = 0;
    p.purchase_sum = 0;
    p.first_purchase.reset();
    p.last_purchase.reset();
    p.window_count.fill(0);
    p.window_sum.fill(0);
    p.as_of = now;
    p.expires_at.reset();
    for (const auto& x : purchases) {
        ++p.purchase_count;
        const bool summed = x.total.currency == currency;
        if (summed) p.purchase_sum = saturating_add(p.purchase_sum, x.total.minor);
        if (!p.first_purchase || x.ordered_at.ms < p.first_purchase->ms) p.first_purchase = x.ordered_at;
        if (!p.last_purchase || x.ordered_at.ms > p.last_purchase->ms) p.last_purchase = x.ordered_at;
        for (std::size_t w = 0; w < kPurchaseWindows.size(); ++w) {
            const std::int64_t length = kPurchaseWindows[w] * kDayMs;
            // In the window: (now - length, now]. A purchase dated later than
            // now counts from now on and leaves at its own time + length.
            if (x.ordered_at.ms > saturating_add(now.ms, -length) && x.ordered_at.ms <= now.ms) {
                ++p.window_count[w];
                if (summed) p.window_sum[w] = saturating_add(p.window_sum[w], x.total.minor);
            }
            const std::int64_t change =
                x.ordered_at.ms > now.ms ? x.ordered_at.ms : saturating_add(x.ordered_at.ms, length);
            if (change > now.ms && (!p.expires_at || change < p.expires_at->ms))
                p.expires_at = Timestamp{change};
        }
    }
    score_rfm(p, rfm);
}

void set_ticket_part(PartyProfile& p, std::span<const Ticket> tickets) {
    p.tickets = static_cast<std::int64_t>(tickets.size());
    p.open_tickets = 0;
    p.complaints = 0;
    for (const auto& t : tickets) {
        if (t.status == "open") ++p.open_tickets;
        if (t.type == TicketType::complaint) ++p.complaints;
    }
}

void set_membership_part(PartyProfile& p, std::span<const Membership> memberships) {
    p.organizations.clear();
    for (const auto& m : memberships)
        if (m.person == p.party) p.organizations.push_back(m.organization.str());
    std::sort(p.organizations.begin(), p.organizations.end());
}

void set_campaign_part(PartyProfile& p, std::span<const CampaignMember> memberships,
                       const std::vector<bool>& responded) {
    p.campaigns_sent = p.campaigns_opened = p.campaigns_clicked = 0;
    p.campaigns_responded = p.campaigns_converted = 0;
    for (std::size_t i = 0; i < memberships.size(); ++i) {
        const auto& at = memberships[i].at;
        if (at[static_cast<int>(MemberStatus::sent)]) ++p.campaigns_sent;
        if (at[static_cast<int>(MemberStatus::opened)]) ++p.campaigns_opened;
        if (at[static_cast<int>(MemberStatus::clicked)]) ++p.campaigns_clicked;
        if (i < responded.size() && responded[i]) ++p.campaigns_responded;
        if (at[static_cast<int>(MemberStatus::converted)]) ++p.campaigns_converted;
    }
}

expr::Schema profile_schema(std::span<const FieldDef> party_fields, std::string_view currency) {
    expr::Schema schema;
    for (const auto& s : specs()) {
        expr::Field f;
        f.name = s.name;
        f.type = s.type;
        if (s.money) f.currency = std::string(currency);
        if (f.name == "kind") f.allowed = {"person", "organization"};
        (void)schema.add(std::move(f));
    }
    for (const auto& def : party_fields) (void)schema.add_custom(def);
    return schema;
}

Value profile_value(const PartyProfile& p, const expr::Schema& schema, std::string_view field) {
    if (const auto* s = spec_of(field)) {
        Value v = s->get(p);
        if (s->money)
            if (const auto* f = schema.find(field))
                if (const auto* minor = std::get_if<std::int64_t>(&v)) return Money{*minor, f->currency};
        return v;
    }
    if (field.rfind("custom.", 0) == 0)
        if (auto it = p.custom.find(std::string(field.substr(7))); it != p.custom.end())
            return it->second;
    return std::monostate{};
}

void fill_record(const PartyProfile& p, const expr::Schema& schema, expr::RowRecord& record) {
    // profile_schema() lays the built-in fields out first, in specs() order.
    const auto& fields = schema.fields();
    const auto& all = specs();
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i < all.size() && fields[i].name == all[i].name && !all[i].money)
            record[i] = all[i].get(p);
        else
            record[i] = profile_value(p, schema, fields[i].name);
    }
}

expr::SqlMapping profile_mapping(const expr::Schema& schema, const storage::Dialect& dialect) {
    expr::SqlMapping m(dialect);
    for (const auto& s : specs()) {
        expr::Column c;
        c.sql = s.sql;
        if (s.currency_sql) c.currency_sql = s.currency_sql;
        c.normalized = s.type == expr::Type::text || s.type == expr::Type::text_list;
        m.set(s.name, std::move(c));
    }
    m.set_custom_fields(schema, "custom");
    return m;
}

}  // namespace crm::marketing
