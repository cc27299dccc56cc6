// sales/store/records.hpp - the sales context's repository: opportunities,
// leads, products and quotes, and the queries a forecast counts with.
// Its SQL is written here once, over a storage session.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crm/sales/forecast.hpp"
#include "crm/sales/lead.hpp"
#include "crm/sales/opportunity.hpp"
#include "crm/sales/quote.hpp"
#include "crm/core/worklist.hpp"
#include "crm/expr/sql.hpp"
#include "records/dimensions.hpp"
#include "storage/list.hpp"
#include "storage/session.hpp"

namespace crm {

/// Which opportunities a forecast reads: open ones expected to close in
/// [from_date, to_date) and closed ones closed in [from, to), filtered by
/// pipeline, owner and team (empty: any).
struct ForecastScope {
    ForecastGroup group_by = ForecastGroup::owner;
    std::string pipeline, owner, team;
    std::string from_date, to_date;  ///< Gregorian "YYYY-MM-DD"
    Timestamp from, to;
};

/// One group of a forecast: opportunities of one group key, currency,
/// status and forecast category.
struct ForecastCell {
    std::string group, currency, status, forecast_category;
    std::int64_t count = 0, amount_minor = 0, weighted_minor = 0;
    std::int64_t revenue_minor = 0;  ///< won deals: the actual revenue in the deal's currency
};

/// The revenue a won opportunity counts with: its close record's actual
/// revenue when in the deal's currency, else its amount.
inline std::int64_t revenue_minor(const Opportunity& o) {
    if (o.close && o.close->actual_revenue && o.amount &&
        o.close->actual_revenue->currency == o.amount->currency)
        return o.close->actual_revenue->minor;
    return o.amount ? o.amount->minor : 0;
}

/// A deal won in a period, for the sales cycle: when it was created (its
/// stored ISO 8601 text) and won.
struct WonDeal {
    std::string group, currency, created_at;
    Timestamp closed_at;
};

class SalesRecords : public storage::Repository {
public:
    // ---- worklists: where each list's filters live, the columns a rule
    // over the record's schema (built-in and custom fields) reads, a page.
    static const storage::ListSpec& opportunity_list_spec();
    static const storage::ListSpec& lead_list_spec();
    static const storage::ListSpec& quote_list_spec();
    static expr::SqlMapping opportunity_columns(const expr::Schema& schema, const storage::Dialect& d);
    static expr::SqlMapping lead_columns(const expr::Schema& schema, const storage::Dialect& d);
    static expr::SqlMapping quote_columns(const expr::Schema& schema, const storage::Dialect& d);
    result<ListPage<Opportunity>> list_opportunities(const storage::ListSql& sql);
    result<ListPage<Lead>> list_leads(const storage::ListSql& sql);
    result<ListPage<Quote>> list_quotes(const storage::ListSql& sql);

    explicit SalesRecords(storage::Session& s) : Repository(s) {}

    /// `body` is the opportunity's JSON text when the caller has made it
    /// already (codec::opportunity_fields), or empty for the store to make.
    /// `before`, the stored version when the caller has read it, lets a
    /// change of only what a move changes (stage, status, probability,
    /// forecast category, closing) update only those columns.
    result<void> put_opportunity(const Opportunity& o, std::string_view body = {},
                                 const Opportunity* before = nullptr);
    result<std::optional<Opportunity>> get_opportunity(const Id& id);
    result<Id> opportunity_by_external_id(std::string_view external_id);  ///< nil if none
    /// The opportunities of a party, newest first.
    result<std::vector<Opportunity>> opportunities_of(const Id& party);
    /// Ids of the opportunities of `pipeline` on `version` (0: any) after
    /// `after` (nil: from the first), in id order, at most `limit`.
    result<std::vector<Id>> opportunities_in(std::string_view pipeline, int version,
                                             const Id& after, int limit);
    /// Count, amount and weighted amount per (stage, currency) of the
    /// pipeline's opportunities, ordered by stage then currency.
    result<std::vector<StageTotal>> stage_totals(std::string_view pipeline);
    result<void> put_lead(const Lead& l);
    result<std::optional<Lead>> get_lead(const Id& id);
    result<Id> lead_by_external_id(std::string_view external_id);  ///< nil if none
    /// The leads of a party, newest first.
    result<std::vector<Lead>> leads_of(const Id& party);
    result<void> put_product(const Product& p);
    result<std::optional<Product>> get_product(std::string_view sku);
    /// Products whose sku sorts after `after` ("" : from the first), in sku
    /// order, at most `limit`.
    result<std::vector<Product>> products(std::string_view after, int limit);
    result<void> put_quote(const Quote& q);
    result<std::optional<Quote>> get_quote(const Id& id);
    /// The latest revision carrying `number`; nil if none.
    result<Id> quote_by_number(std::string_view number);
    /// The quotes of a party, newest first.
    result<std::vector<Quote>> quotes_of(const Id& party);
    /// The quotes of an opportunity, newest first.
    result<std::vector<Quote>> quotes_for_opportunity(const Id& opportunity);
    /// Every revision of the quote whose first revision is `root`, oldest first.
    result<std::vector<Quote>> quote_revisions(const Id& root);
    /// Opportunities and leads whose campaign is `campaign` (the campaign's
    /// id text or external id), in id order.
    result<std::vector<Opportunity>> opportunities_of_campaign(
const std::vector<std::string>& keys);
    result<std::vector<Lead>> leads_of_campaign(const std::vector<std::string>& keys);
    /// The cells of a forecast, ordered by group, currency, status, category.
    result<std::vector<ForecastCell>> forecast_cells(const ForecastScope& scope);
    /// The deals won in [scope.from, scope.to), with the forecast's filters,
    /// by group.
    result<std::vector<WonDeal>> won_deals(const ForecastScope& scope);
    /// Mean time in each stage over the opportunity history entries of
    /// [scope.from, scope.to) that left a stage (scope.pipeline filters;
    /// owner and team do not), ordered by pipeline and stage.
    result<std::vector<StageDuration>> stage_durations(const ForecastScope& scope);
    /// Moves what this context keeps of party `from` to party `to` (a merge).
    result<void> reassign_party(const Id& from, const Id& to);
    /// Every opportunity's (or lead's) reporting dimensions
    /// (records/dimensions.hpp), in no particular order; stops when fn
    /// returns false.
    result<void> for_each_opportunity_dimensions(const RecordDimensionsFn& fn);
    result<void> for_each_lead_dimensions(const RecordDimensionsFn& fn);
};

}  // namespace crm
