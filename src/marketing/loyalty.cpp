// src/marketing/loyalty.cpp - the customer club: programmes as data, points
// earned on every purchase by the programme's rules, redeemed, adjusted and
// expiring lot by lot, tiers up on earning and reviewed on refresh. Every
// ledger entry carries an idempotency key, so no point is counted twice.
#include <algorithm>

#include "core/clean.hpp"
#include "core/enum_names.hpp"
#include "core/json_read.hpp"
#include "crm/core/text.hpp"
#include "crm/marketing/marketing.hpp"
#include "customer/codec.hpp"
#include "customer/purchase_record.hpp"
#include "engine/access.hpp"
#include "expr/json_form.hpp"
#include "marketing/codec.hpp"
#include "marketing/work.hpp"

namespace crm {

using codec::json;

namespace {
constexpr const char* kLedgerEvents[] = {"loyalty.earned", "loyalty.redeemed", "loyalty.expired",
                                         "loyalty.adjusted"};
constexpr std::string_view kProgramKind = "loyalty";
constexpr std::int64_t kDay = 86'400'000;
constexpr int kPage = 1000;
}  // namespace

CRM_ENUM_NAMES(TierBasis, parse_tier_basis, {TierBasis::points, "points"}, {TierBasis::spend, "spend"})
CRM_ENUM_NAMES(LedgerKind, parse_ledger_kind, {LedgerKind::earn, "earn"}, {LedgerKind::redeem, "redeem"},
               {LedgerKind::expire, "expire"}, {LedgerKind::adjust, "adjust"})

namespace marketing {

// ---- JSON forms ---------------------------------------------------------------

result<LoyaltyProgram> program_from_json(const json& doc) {
    if (!doc.is_object()) return fail(errc::invalid_argument, "must be an object", "");
    CRM_TRYV(codec::expect_object(doc, "", {"id", "name", "currency", "enrolment", "expiry_days", "earn",
                                            "tiers", "tier_basis", "tier_window_days", "version"}));
    LoyaltyProgram p;
    CRM_TRY(id, codec::text_or_empty(doc, "id", "", 1024));
    CRM_TRY(clean, clean_key(id, "id"));
    p.id = std::move(clean);
    CRM_TRY(name, codec::text_or_empty(doc, "name", "", 1024));
    CRM_TRY(tidy, clean_text(name, "name", 200));
    p.name = tidy.empty() ? p.id : tidy;
    CRM_TRY(currency, codec::text_or_empty(doc, "currency", "", 8));
    if (!currency.empty()) {
        auto m = Money::of(0, currency);
        if (!m) return fail(errc::invalid_argument, m.error().message, "currency");
        p.currency = m.value().currency;
    }
    CRM_TRY(enrolment, codec::text_or_empty(doc, "enrolment", "", 64));
    if (!enrolment.empty() && enrolment != "auto" && enrolment != "explicit")
        return fail(errc::invalid_argument, "must be auto or explicit", "enrolment");
    p.auto_enrol = enrolment == "auto";
    CRM_TRY(expiry, codec::get_int(doc, "expiry_days", ""));
    if (expiry && (*expiry < 0 || *expiry > 36500))
        return fail(errc::invalid_argument, "must be 0 (never) to 36500 days", "expiry_days");
    p.expiry_days = static_cast<int>(expiry.value_or(0));
    CRM_TRY(window, codec::get_int(doc, "tier_window_days", ""));
    if (window && (*window < 1 || *window > 36500))
        return fail(errc::invalid_argument, "must be 1 to 36500 days", "tier_window_days");
    p.tier_window_days = static_cast<int>(window.value_or(365));
    CRM_TRY(basis, codec::text_or_empty(doc, "tier_basis", "", 64));
    if (!basis.empty()) {
        CRM_TRY(b, parse_tier_basis(basis, "tier_basis"));
        p.tier_basis = b;
    }
    const json* tiers = codec::member(doc, "tiers");
    if (tiers) {
        if (!tiers->is_array() || tiers->size() > 32)
            return fail(errc::invalid_argument, "must be an array of at most 32 tiers", "tiers");
        for (std::size_t i = 0; i < tiers->size(); ++i) {
            const std::string at = "tiers[" + std::to_string(i) + "]";
            CRM_TRYV(codec::expect_object((*tiers)[i], at, {"id", "name", "threshold"}));
            LoyaltyTier t;
            CRM_TRY(tid, codec::text_or_empty((*tiers)[i], "id", at, 1024));
            CRM_TRY(tclean, clean_key(tid, (at + ".id").c_str()));
            t.id = std::move(tclean);
            CRM_TRY(tname, codec::text_or_empty((*tiers)[i], "name", at, 1024));
            t.name = tname.empty() ? t.id : tname;
            CRM_TRY(threshold, codec::get_int((*tiers)[i], "threshold", at));
            if (!threshold || *threshold < 0)
                return fail(errc::invalid_argument, "must be a whole number from 0", at + ".threshold");
            t.threshold = *threshold;
            if (i == 0 && t.threshold != 0)
                return fail(errc::invalid_argument, "the first tier starts at 0", at + ".threshold");
            if (i > 0 && t.threshold <= p.tiers.back().threshold)
                return fail(errc::invalid_argument, "must be above the previous tier's", at + ".threshold");
            for (const auto& other : p.tiers)
                if (other.id == t.id) return fail(errc::invalid_argument, "is listed twice", at + ".id");
            p.tiers.push_back(std::move(t));
        }
    }
    if (p.tiers.empty()) p.tiers.push_back({"member", "member", 0});
    const json* earn = codec::member(doc, "earn");
    if (!earn || !earn->is_array() || earn->empty() || earn->size() > 64)
        return fail(errc::invalid_argument, "must list 1 to 64 earn rules", "earn");
    for (std::size_t i = 0; i < earn->size(); ++i) {
        const std::string at = "earn[" + std::to_string(i) + "]";
        const json& r = (*earn)[i];
        CRM_TRYV(codec::expect_object(r, at, {"id", "when", "per", "points", "bonus", "tiers"}));
        EarnRule e;
        CRM_TRY(rid, codec::text_or_empty(r, "id", at, 1024));
        CRM_TRY(rclean, clean_key(rid, (at + ".id").c_str()));
        e.id = std::move(rclean);
        if (const json* when = codec::member(r, "when")) {
            CRM_TRY(rule, expr::load_json(*when, customer::purchase_rule_schema(), at + ".when"));
            e.when = std::move(rule);
        }
        CRM_TRY(per, codec::get_string(r, "per", at, 64));
        CRM_TRY(points, codec::get_int(r, "points", at));
        CRM_TRY(bonus, codec::get_int(r, "bonus", at));
        if (points && (*points < 0 || *points > 1'000'000'000))
            return fail(errc::invalid_argument, "must be 0 to 1e9", at + ".points");
        if (bonus && (*bonus < 0 || *bonus > 1'000'000'000))
            return fail(errc::invalid_argument, "must be 0 to 1e9", at + ".bonus");
        e.points = points.value_or(0);
        e.bonus = bonus.value_or(0);
        if (e.points > 0) {
            if (!per) return fail(errc::invalid_argument, "is required with points", at + ".per");
            auto amount = Money::parse(*per, p.currency, at + ".per");
            if (!amount) return amount.error();
            if (amount.value().minor <= 0)
                return fail(errc::invalid_argument, "must be above 0", at + ".per");
            e.per = amount.value();
        } else if (per) {
            return fail(errc::invalid_argument, "needs points", at + ".per");
        }
        if (e.points == 0 && e.bonus == 0)
            return fail(errc::invalid_argument, "earns nothing: give points or a bonus", at);
        CRM_TRY(only, codec::get_strings(r, "tiers", at));
        for (const auto& t : only.value_or(std::vector<std::string>{})) {
            if (std::none_of(p.tiers.begin(), p.tiers.end(), [&](const LoyaltyTier& x) { return x.id == t; }))
                return fail(errc::invalid_argument, "no tier '" + t.substr(0, 64) + "'", at + ".tiers");
            e.tiers.push_back(t);
        }
        for (const auto& other : p.earn)
            if (other.id == e.id) return fail(errc::invalid_argument, "is listed twice", at + ".id");
        p.earn.push_back(std::move(e));
    }
    return p;
}

json to_json(const LoyaltyProgram& p, bool with_version) {
    json earn = json::array();
    for (const auto& e : p.earn) {
        json r = {{"id", e.id}};
        if (e.when) r["when"] = json::parse(e.when->to_json());
        if (e.points > 0) {
            const std::string per = e.per.str();
            r["per"] = per.substr(0, per.find(' '));
            r["points"] = e.points;
        }
        if (e.bonus > 0) r["bonus"] = e.bonus;
        if (!e.tiers.empty()) r["tiers"] = e.tiers;
        earn.push_back(std::move(r));
    }
    json tiers = json::array();
    for (const auto& t : p.tiers) tiers.push_back({{"id", t.id}, {"name", t.name}, {"threshold", t.threshold}});
    json j = {{"id", p.id},
              {"name", p.name},
              {"currency", p.currency},
              {"enrolment", p.auto_enrol ? "auto" : "explicit"},
              {"expiry_days", p.expiry_days},
              {"earn", earn},
              {"tiers", tiers},
              {"tier_basis", to_string(p.tier_basis)},
              {"tier_window_days", p.tier_window_days}};
    if (with_version) j["version"] = p.version;
    return j;
}

namespace {

// ---- the work of one transaction ---------------------------------------------------

class Club {
public:
    Club(Engine::Impl& impl, Transaction& tx, const Context& ctx)
        : impl_(impl), tx_(tx), ctx_(ctx) {}

    Timestamp now() const { return impl_.now(); }

    result<LoyaltyProgram> load(const std::string& id, int version) {
        const auto key = std::make_pair(id, version);
        if (auto it = impl_.loyalty_cache.find(key); it != impl_.loyalty_cache.end()) return it->second;
        CRM_TRY(stored, tx_.get_definition(kProgramKind, id, version));
        if (!stored) return fail(errc::storage, "loyalty programme '" + id + "' vanished");
        CRM_TRY(doc, codec::parse(stored->body, "loyalty programme"));
        auto parsed = program_from_json(doc);
        if (!parsed)
            return fail(errc::storage, "stored loyalty programme '" + id + "' no longer loads: " +
                                           parsed.error().message);
        LoyaltyProgram p = std::move(parsed).value();
        p.version = stored->version;
        impl_.loyalty_cache.emplace(key, p);
        return p;
    }

    result<std::vector<LoyaltyProgram>> programs() {
        CRM_TRY(versions, tx_.definition_versions(kProgramKind));
        std::vector<LoyaltyProgram> out;
        for (const auto& [id, version] : versions) {
            CRM_TRY(p, load(id, version));
            out.push_back(std::move(p));
        }
        return out;
    }

    result<LoyaltyProgram> program(std::string_view id, std::string_view field = "program") {
        CRM_TRY(version, tx_.definition_version(kProgramKind, id));
        if (version == 0)
            return fail(errc::not_found, "no loyalty programme '" + std::string(id.substr(0, 64)) + "'",
                        std::string(field));
        return load(std::string(id), version);
    }

    static const LoyaltyTier& tier_for(const LoyaltyProgram& p, std::int64_t value) {
        const LoyaltyTier* best = &p.tiers.front();
        for (const auto& t : p.tiers)
            if (value >= t.threshold) best = &t;
        return *best;
    }
    static int rank_of(const LoyaltyProgram& p, std::string_view tier) {
        for (std::size_t i = 0; i < p.tiers.size(); ++i)
            if (p.tiers[i].id == tier) return static_cast<int>(i);
        return -1;  // a tier the programme no longer has
    }

    result<LoyaltyAccount> ensure_account(const LoyaltyProgram& p, const Id& party) {
        CRM_TRY(existing, tx_.get_loyalty_account(p.id, party));
        if (existing) return std::move(*existing);
        LoyaltyAccount a{p.id, party, p.tiers.front().id, now(), now()};
        CRM_TRYV(tx_.put_loyalty_account(a));
        CRM_TRYV(impl_.record(tx_, ctx_, "loyalty", party, "enrol", {{"program", "null", json(p.id).dump()}},
                              "loyalty.enrolled", json{{"program", p.id}, {"party", party.str()}, {"tier", a.tier}}));
        return a;
    }

    /// The tier the account qualifies for now; moves it there when it is
    /// higher, or lower too when `downgrade`. Answers -1, 0 or +1.
    result<int> review_tier(const LoyaltyProgram& p, LoyaltyAccount& a, bool downgrade) {
        const Timestamp since{now().ms - static_cast<std::int64_t>(p.tier_window_days) * kDay};
        CRM_TRY(q, tx_.loyalty_qualifying(p.id, a.party, since));
        const std::int64_t value = p.tier_basis == TierBasis::points ? q.first : q.second;
        const LoyaltyTier& target = tier_for(p, value);
        const int from = rank_of(p, a.tier), to = rank_of(p, target.id);
        if (to == from || (to < from && !downgrade)) return 0;
        const std::string before = a.tier;
        a.tier = target.id;
        a.tier_since = now();
        CRM_TRYV(tx_.put_loyalty_account(a));
        CRM_TRYV(impl_.record(tx_, ctx_, "loyalty", a.party, to > from ? "upgrade" : "downgrade",
                              {{"tier", json(before).dump(), json(a.tier).dump()}}, "loyalty.tier_changed",
                              json{{"program", p.id}, {"party", a.party.str()}, {"from", before},
                                   {"to", a.tier}, {"qualifying", value}}));
        return to > from ? 1 : -1;
    }

    /// Writes one entry: a positive one is a lot, a negative one consumes
    /// lots oldest expiry first and may not exceed the balance. The same
    /// key again answers the stored entry.
    result<LedgerEntry> post(const LoyaltyProgram& p, LedgerEntry e) {
        CRM_TRY(existing, tx_.ledger_by_key(p.id, e.key));
        if (existing) {
            if (existing->party != e.party || existing->points != e.points || existing->kind != e.kind)
                return fail(errc::conflict,
                            "key '" + e.key.substr(0, 200) + "' was used for another entry", "key");
            return std::move(*existing);
        }
        e.program = p.id;
        e.at = now();
        if (e.points > 0) {
            e.remaining = e.points;
            if (p.expiry_days > 0)
                e.expires_at = Timestamp{e.at.ms + static_cast<std::int64_t>(p.expiry_days) * kDay};
        } else if (e.points < 0 && e.kind != LedgerKind::expire) {
            CRM_TRYV(expire_due(p, e.party));
            CRM_TRY(balance, tx_.loyalty_balance(p.id, e.party));
            if (balance + e.points < 0)
                return fail(errc::invalid_argument,
                            "exceeds the balance of " + std::to_string(balance) + " points", "points");
            std::int64_t need = -e.points;
            CRM_TRY(lots, tx_.open_lots(p.id, e.party));
            for (const auto& lot : lots) {
                if (need == 0) break;
                const std::int64_t take = std::min(need, lot.remaining);
                CRM_TRYV(tx_.set_lot_remaining(lot.seq, lot.remaining - take));
                need -= take;
            }
            if (need != 0) return fail(errc::storage, "loyalty lots do not add up to the balance");
        }
        CRM_TRYV(tx_.append_ledger(e));
        const json j = codec::to_json(e);
        CRM_TRYV(impl_.record(tx_, ctx_, "loyalty", e.party, to_string(e.kind),
                              {{"points", "null", std::to_string(e.points)}},
                              kLedgerEvents[static_cast<int>(e.kind)], j));
        return e;
    }

    result<std::int64_t> points_for(const LoyaltyProgram& p, const Party& party, const Purchase& o,
                                    const std::string& tier) {
        if (o.total.currency != p.currency || o.total.minor <= 0) return std::int64_t{0};
        const expr::MapRecord record = customer::purchase_record(party, o);
        const expr::Context context = impl_.rule_context();
        std::int64_t total = 0;
        for (const auto& r : p.earn) {
            if (!r.tiers.empty() && std::find(r.tiers.begin(), r.tiers.end(), tier) == r.tiers.end()) continue;
            if (r.when) {
                auto held = expr::evaluate(*r.when, record, context);
                if (!held || !held.value()) continue;
            }
            std::int64_t earned = 0;
            if ((r.points > 0 && __builtin_mul_overflow(o.total.minor / r.per.minor, r.points, &earned)) ||
                __builtin_add_overflow(earned, r.bonus, &earned) || __builtin_add_overflow(total, earned, &total))
                return fail(errc::invalid_argument, "earns more points than a ledger entry holds", "total");
        }
        return total;
    }

    /// Brings what a party holds for one order (points, and the spend that
    /// tiers by spend count) to what the order earns now: nothing for a party
    /// the order moved away from. The first entry of an order is an earn, the
    /// rest adjustments, each keyed by the party, the order and its number.
    result<void> settle_order(const LoyaltyProgram& p, const Party& party, const Purchase* o,
                              const std::string& order_id) {
        CRM_TRY(account, tx_.get_loyalty_account(p.id, party.id));
        if (!account) {
            if (!o || !p.auto_enrol || o->total.currency != p.currency) return ok();
            CRM_TRY(a, ensure_account(p, party.id));
            account = std::move(a);
        }
        CRM_TRY(target, o ? points_for(p, party, *o, account->tier) : result<std::int64_t>(std::int64_t{0}));
        const std::int64_t amount = o && o->total.currency == p.currency ? o->total.minor : 0;
        CRM_TRY(held, tx_.order_totals(p.id, party.id, order_id));
        if (target == held.points && amount == held.amount_minor) return ok();
        LedgerEntry e;
        e.party = party.id;
        e.order_id = order_id;
        e.kind = held.entries == 0 ? LedgerKind::earn : LedgerKind::adjust;
        e.points = target - held.points;
        e.amount_minor = amount - held.amount_minor;
        e.key = "purchase:" + party.id.str() + ":" + order_id + "#" + std::to_string(held.entries + 1);
        e.reason = held.entries == 0 ? "purchase " + order_id : "purchase " + order_id + " changed";
        if (e.points < 0) {
            // Points already spent stay spent: never below zero.
            CRM_TRYV(expire_due(p, party.id));
            CRM_TRY(balance, tx_.loyalty_balance(p.id, party.id));
            e.points = std::max(e.points, -balance);
        }
        CRM_TRY(posted, post(p, e));
        (void)posted;
        LoyaltyAccount a = *account;
        CRM_TRYV(review_tier(p, a, false));
        return ok();
    }

    /// Expires a party's lots whose time has come (before its balance is used).
    result<std::int64_t> expire_due(const LoyaltyProgram& p, const Id& party) {
        std::int64_t expired = 0;
        CRM_TRY(lots, tx_.open_lots(p.id, party));
        for (const auto& lot : lots) {
            if (!lot.expires_at || lot.expires_at->ms > now().ms) break;  // soonest expiry first
            CRM_TRYV(expire(p, lot));
            expired += lot.remaining;
        }
        return expired;
    }

    result<void> expire(const LoyaltyProgram& p, const LedgerEntry& lot) {
        LedgerEntry e;
        e.party = lot.party;
        e.kind = LedgerKind::expire;
        e.points = -lot.remaining;
        e.key = "expire:" + std::to_string(lot.seq);
        e.order_id = lot.order_id;
        e.reason = "points of entry " + std::to_string(lot.seq) + " expired";
        CRM_TRYV(tx_.set_lot_remaining(lot.seq, 0));
        CRM_TRY(posted, post(p, e));
        (void)posted;
        return ok();
    }

    result<LoyaltyStatus> status(const LoyaltyProgram& p, const Id& party, int recent) {
        CRM_TRY(account, tx_.get_loyalty_account(p.id, party));
        if (!account) return fail(errc::not_found, "the party is not a member of '" + p.id + "'", "party");
        LoyaltyStatus s;
        s.account = std::move(*account);
        CRM_TRY(balance, tx_.loyalty_balance(p.id, party));
        s.balance = balance;
        // Lots past their expiry are not in the balance, written or not.
        CRM_TRY(lots, tx_.open_lots(p.id, party));
        for (const auto& lot : lots)
            if (lot.expires_at && lot.expires_at->ms <= now().ms) s.balance -= lot.remaining;
        if (recent > 0) {
            CRM_TRY(entries, tx_.ledger_of(p.id, party, recent));
            s.recent = std::move(entries);
        }
        return s;
    }

    result<LoyaltyRefreshReport> refresh(const LoyaltyProgram& p) {
        LoyaltyRefreshReport report;
        for (;;) {
            CRM_TRY(lots, tx_.expired_lots(p.id, now(), kPage));
            if (lots.empty()) break;
            for (const auto& lot : lots) {
                CRM_TRYV(expire(p, lot));
                ++report.lots_expired;
                report.points_expired += lot.remaining;
            }
        }
        Id after;
        for (;;) {
            CRM_TRY(accounts, tx_.loyalty_accounts(p.id, after, kPage));
            if (accounts.empty()) break;
            for (auto& a : accounts) {
                CRM_TRY(moved, review_tier(p, a, true));
                if (moved > 0) ++report.upgraded;
                if (moved < 0) ++report.downgraded;
            }
            after = accounts.back().party;
        }
        return report;
    }

private:
    Engine::Impl& impl_;
    Transaction& tx_;
    const Context& ctx_;
};

result<std::string> clean_ledger_key(std::string_view key) {
    const std::string k = text::tidy(key);
    if (k.empty()) return fail(errc::invalid_argument, "is required (an idempotency key)", "key");
    if (k.size() > 200) return fail(errc::invalid_argument, "is longer than 200 bytes", "key");
    if (k.rfind("purchase:", 0) == 0 || k.rfind("expire:", 0) == 0)
        return fail(errc::invalid_argument, "keys starting purchase: or expire: are the library's own", "key");
    return k;
}

}  // namespace

result<void> purchase_recorded(Engine::Impl& impl, Transaction& tx, const Context& ctx,
                               const Purchase& purchase, const Id& previous_party) {
    CRM_TRY(versions, tx.definition_versions(kProgramKind));
    if (versions.empty()) return ok();
    Club club(impl, tx, ctx);
    CRM_TRY(programs, club.programs());
    CRM_TRY(party, impl.load_live_party(tx, purchase.party));
    for (const auto& p : programs) {
        if (!previous_party.is_nil() && previous_party != purchase.party) {
            CRM_TRY(old, tx.get_party(previous_party));
            if (old) CRM_TRYV(club.settle_order(p, *old, nullptr, purchase.order_id));
        }
        CRM_TRYV(club.settle_order(p, party, &purchase, purchase.order_id));
    }
    return ok();
}

result<std::vector<LoyaltyStatus>> loyalty_of(Engine::Impl& impl, Transaction& tx,
                                              const Id& party, int recent) {
    CRM_TRY(accounts, tx.loyalty_accounts_of(party));
    const Context ctx;
    Club club(impl, tx, ctx);
    std::vector<LoyaltyStatus> out;
    for (const auto& a : accounts) {
        CRM_TRY(p, club.program(a.program));
        CRM_TRY(s, club.status(p, party, recent));
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace marketing

// ---- the public face ---------------------------------------------------------------

using marketing::Club;

result<Written<LoyaltyProgram>> Marketing::define_loyalty_program(const Context& ctx,
                                                                  std::string_view text) {
    CRM_TRYV(check_context(ctx));
    CRM_TRY(doc, codec::parse(text, "loyalty programme"));
    CRM_TRY(p, marketing::program_from_json(doc));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Written<LoyaltyProgram>> {
        const json j = marketing::to_json(p, false);
        CRM_TRY(stored, impl.store_versioned(tx, ctx, kProgramKind, p.id, j.dump(), "loyalty",
                                             "loyalty.defined", j));
        p.version = stored.first;
        return Written<LoyaltyProgram>{p, stored.second};
    });
}

result<LoyaltyProgram> Marketing::loyalty_program(std::string_view id) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<LoyaltyProgram> {
        const Context ctx;
        return Club(impl, tx, ctx).program(id, "id");
    });
}

result<std::vector<LoyaltyProgram>> Marketing::loyalty_programs() {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<LoyaltyProgram>> {
        const Context ctx;
        return Club(impl, tx, ctx).programs();
    });
}

result<LoyaltyStatus> Marketing::enrol(const Context& ctx, std::string_view program, const Id& party) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<LoyaltyStatus> {
        Club club(impl, tx, ctx);
        CRM_TRY(p, club.program(program));
        CRM_TRY(live, impl.load_live_party(tx, party));
        CRM_TRY(a, club.ensure_account(p, live.id));
        (void)a;
        return club.status(p, live.id, 20);
    });
}

result<LoyaltyStatus> Marketing::loyalty(std::string_view program, const Id& party, int recent) {
    if (recent < 0 || recent > 1000) return fail(errc::invalid_argument, "must be 0..1000", "recent");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<LoyaltyStatus> {
        const Context ctx;
        Club club(impl, tx, ctx);
        CRM_TRY(p, club.program(program));
        CRM_TRY(live, impl.load_live_party(tx, party));
        return club.status(p, live.id, recent);
    });
}

namespace {
result<LedgerEntry> member_entry(Engine& engine, const Context& ctx, std::string_view program,
                                 const Id& party, std::int64_t points, std::string_view key,
                                 std::string_view reason, LedgerKind kind) {
    CRM_TRYV(check_context(ctx));
    CRM_TRY(k, marketing::clean_ledger_key(key));
    CRM_TRY(why, clean_text(std::string(reason), "reason", 1000));
    if (kind == LedgerKind::redeem && points <= 0)
        return fail(errc::invalid_argument, "must be above 0", "points");
    if (kind == LedgerKind::adjust && points == 0) return fail(errc::invalid_argument, "must not be 0", "points");
    if (points > 1'000'000'000'000 || points < -1'000'000'000'000)
        return fail(errc::invalid_argument, "is out of range", "points");
    auto& impl = EngineAccess::impl(engine);
    return impl.write([&](Transaction& tx) -> result<LedgerEntry> {
        Club club(impl, tx, ctx);
        CRM_TRY(p, club.program(program));
        CRM_TRY(live, impl.load_live_party(tx, party));
        CRM_TRY(account, tx.get_loyalty_account(p.id, live.id));
        if (!account) return fail(errc::not_found, "the party is not a member of '" + p.id + "'", "party");
        LedgerEntry e;
        e.party = live.id;
        e.kind = kind;
        e.points = kind == LedgerKind::redeem ? -points : points;
        e.key = k;
        e.reason = why;
        CRM_TRY(posted, club.post(p, e));
        if (kind == LedgerKind::adjust && points > 0) {
            LoyaltyAccount a = *account;
            CRM_TRYV(club.review_tier(p, a, false));
        }
        return posted;
    });
}
}  // namespace

result<LedgerEntry> Marketing::redeem(const Context& ctx, std::string_view program, const Id& party,
                                      std::int64_t points, std::string_view key,
                                      std::string_view reason) {
    return member_entry(*engine_, ctx, program, party, points, key, reason, LedgerKind::redeem);
}

result<LedgerEntry> Marketing::adjust(const Context& ctx, std::string_view program, const Id& party,
                                      std::int64_t points, std::string_view key,
                                      std::string_view reason) {
    return member_entry(*engine_, ctx, program, party, points, key, reason, LedgerKind::adjust);
}

result<LoyaltyRefreshReport> Marketing::refresh_loyalty(const Context& ctx, std::string_view program) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<LoyaltyRefreshReport> {
        Club club(impl, tx, ctx);
        std::vector<LoyaltyProgram> programs;
        if (program.empty()) {
            CRM_TRY(all, club.programs());
            programs = std::move(all);
        } else {
            CRM_TRY(p, club.program(program));
            programs.push_back(std::move(p));
        }
        LoyaltyRefreshReport total;
        for (const auto& p : programs) {
            CRM_TRY(r, club.refresh(p));
            total.lots_expired += r.lots_expired;
            total.points_expired += r.points_expired;
            total.upgraded += r.upgraded;
            total.downgraded += r.downgraded;
        }
        return total;
    });
}

}  // namespace crm
