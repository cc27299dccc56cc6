// src/engine/worklist.cpp - the Engine's side of every worklist.
#include "engine/worklist.hpp"

#include "crm/core/text.hpp"

namespace crm {

namespace {

constexpr std::size_t kMaxRuleBytes = 64 * 1024;

result<expr::Expr> load_rule(std::string_view rule, const expr::Schema& schema) {
    if (rule.size() > kMaxRuleBytes)
        return fail(errc::invalid_argument, "is longer than 65536 bytes", "where");
    const auto first = rule.find_first_not_of(" \t\r\n");
    const bool json = first != std::string_view::npos && rule[first] == '{';
    auto e = json ? expr::Expr::from_json(rule, schema) : expr::Expr::from_text(rule, schema);
    if (!e) {
        // "$.and[1]" -> "where.and[1]"; "@17" -> "where@17".
        error err = e.error();
        err.field = "where" + (err.field.rfind("$", 0) == 0 ? err.field.substr(1) : err.field);
        return err;
    }
    return std::move(e).value();
}

}  // namespace

void map_party_fields(ListTarget& target) {
    const std::string id = std::string(target.spec.table) + "." + target.spec.party;
    const std::pair<const char*, const char*> fields[] = {{"party_kind", "kind"},
                                                          {"party_stage", "lifecycle_stage"},
                                                          {"party_city", "city"},
                                                          {"party_tags", "tags"}};
    for (const auto& [field, column] : fields)
        if (target.schema.find(field)) target.mapping.set(field, CustomerRecords::party_column_sql(column, id));
}

result<storage::ListSql> build_list(Engine::Impl& impl, Transaction& tx, const ListTarget& target,
                                    const ListQuery& query) {
    ListQuery q = query;
    if (!q.party.is_nil()) {
        if (!target.spec.party)
            return fail(errc::invalid_argument,
                        "a " + std::string(target.spec.record_type) + " list has no such filter", "party");
        CRM_TRY(p, impl.load_live_party(tx, q.party));
        q.party = p.id;
    }
    const expr::Context context = impl.rule_context();
    storage::Condition extra;
    if (!q.where.empty()) {
        CRM_TRY(rule, load_rule(q.where, target.schema));
        auto compiled = expr::to_sql(rule, target.mapping, context);
        if (!compiled) {
            error err = compiled.error();
            if (err.field.rfind("$", 0) == 0) err.field = "where" + err.field.substr(1);
            return err;
        }
        extra.sql = "(" + compiled.value().sql + ")";
        extra.params = std::move(compiled.value().params);
    }
    if (!q.tag.empty()) {
        if (!target.spec.party)
            return fail(errc::invalid_argument,
                        "a " + std::string(target.spec.record_type) + " list has no such filter", "tag");
        CRM_TRYV(text::check(q.tag, "tag", 100));
        if (!extra.sql.empty()) extra.sql += " AND ";
        extra.sql += CustomerRecords::party_tag_sql(std::string(target.spec.table) + "." + target.spec.party);
        extra.params.emplace_back(text::tidy(q.tag));
    }
    return storage::list_sql(target.spec, q, extra, context.now, context.time_zone);
}

}  // namespace crm
