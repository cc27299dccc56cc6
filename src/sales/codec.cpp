// src/sales/codec.cpp - JSON forms of opportunities, close records, history
// entries, allowed moves and pipeline totals.
#include "sales/codec.hpp"

#include "core/json_pull.hpp"
#include "core/json_text.hpp"
#include "customer/codec.hpp"

namespace crm::codec {
namespace {

json money_or_null(const std::optional<Money>& m) { return m ? to_json(*m) : json(nullptr); }

}  // namespace

json to_json(const CloseRecord& c) {
    return {{"reason", c.reason},
            {"competitor", c.competitor},
            {"actual_revenue", money_or_null(c.actual_revenue)},
            {"date", c.date},
            {"note", c.note}};
}

FieldTexts opportunity_fields(const Opportunity& o) {
    using namespace json_text;
    FieldTexts f;
    f.reserve(25);
    f.emplace_back("id", id_text(o.id));
    f.emplace_back("external_id", json_text::quoted(o.external_id));
    f.emplace_back("name", json_text::quoted(o.name));
    f.emplace_back("party", id_text(o.party));
    f.emplace_back("owner", json_text::quoted(o.owner));
    f.emplace_back("team", json_text::quoted(o.team));
    f.emplace_back("pipeline", json_text::quoted(o.pipeline));
    f.emplace_back("pipeline_version", std::to_string(o.pipeline_version));
    f.emplace_back("stage", json_text::quoted(o.stage));
    f.emplace_back("status", json_text::quoted(o.status));
    f.emplace_back("amount", money_text(o.amount));
    f.emplace_back("probability", std::to_string(o.probability));
    f.emplace_back("forecast_category", json_text::quoted(o.forecast_category));
    f.emplace_back("expected_close", json_text::quoted(o.expected_close));
    f.emplace_back("source_lead", id_text(o.source_lead));
    f.emplace_back("campaign", json_text::quoted(o.campaign));
    f.emplace_back("competitors", strings_text(o.competitors));
    f.emplace_back("products", strings_text(o.products));
    if (o.close) {
        const CloseRecord& c = *o.close;
        f.emplace_back("close", "{\"reason\":" + json_text::quoted(c.reason) + ",\"competitor\":" +
                                    json_text::quoted(c.competitor) + ",\"actual_revenue\":" +
                                    money_text(c.actual_revenue) + ",\"date\":" + json_text::quoted(c.date) +
                                    ",\"note\":" + json_text::quoted(c.note) + "}");
    } else {
        f.emplace_back("close", "null");
    }
    f.emplace_back("custom", custom_text(o.custom));
    f.emplace_back("created_at", time_text(o.created_at));
    f.emplace_back("updated_at", time_text(o.updated_at));
    f.emplace_back("stage_entered_at", time_text(o.stage_entered_at));
    f.emplace_back("closed_at", time_text(o.closed_at));
    f.emplace_back("version", std::to_string(o.version));
    return f;
}

json to_json(const Opportunity& o) { return json::parse(object_text(opportunity_fields(o))); }

json to_json(const StageTotal& t) {
    return {{"stage", t.stage},
            {"currency", t.currency},
            {"count", t.count},
            {"amount_minor", t.amount_minor},
            {"weighted_minor", t.weighted_minor}};
}

result<CloseRecord> close_record_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"reason", "competitor", "actual_revenue", "date", "note"}));
    CloseRecord c;
    CRM_TRY(reason, text_or_empty(j, "reason", path, 1000));
    c.reason = std::move(reason);
    CRM_TRY(competitor, text_or_empty(j, "competitor", path, 200));
    c.competitor = std::move(competitor);
    CRM_TRY(revenue, optional_money(j, "actual_revenue", path));
    c.actual_revenue = revenue;
    CRM_TRY(date, text_or_empty(j, "date", path, 32));
    c.date = std::move(date);
    CRM_TRY(note, text_or_empty(j, "note", path, 65536));
    c.note = std::move(note);
    return c;
}

result<Opportunity> opportunity_from_json(const json& j, std::string_view path) {
    if (!j.is_object()) return fail(errc::storage, "an opportunity is not a JSON object", std::string(path));
    Opportunity o;
    CRM_TRY(id, get_id(j, "id", path));
    o.id = id.value_or(Id{});
    CRM_TRY(party, get_id(j, "party", path));
    o.party = party.value_or(Id{});
    CRM_TRY(lead, get_id(j, "source_lead", path));
    o.source_lead = lead.value_or(Id{});
    std::string* texts[] = {&o.external_id, &o.name,   &o.owner,  &o.team,
                            &o.pipeline,    &o.stage,  &o.status, &o.forecast_category,
                            &o.expected_close, &o.campaign};
    const char* keys[] = {"external_id", "name",   "owner",  "team",
                          "pipeline",    "stage",  "status", "forecast_category",
                          "expected_close", "campaign"};
    for (std::size_t i = 0; i < std::size(keys); ++i) {
        CRM_TRY(s, text_or_empty(j, keys[i], path, 65536));
        *texts[i] = std::move(s);
    }
    CRM_TRY(version, get_int(j, "pipeline_version", path));
    o.pipeline_version = static_cast<int>(version.value_or(0));
    CRM_TRY(amount, optional_money(j, "amount", path));
    o.amount = amount;
    CRM_TRY(probability, get_int(j, "probability", path));
    o.probability = static_cast<int>(probability.value_or(0));
    CRM_TRY(competitors, get_strings(j, "competitors", path));
    o.competitors = competitors.value_or(std::vector<std::string>{});
    CRM_TRY(products, get_strings(j, "products", path));
    o.products = products.value_or(std::vector<std::string>{});
    if (const json* c = member(j, "close")) {
        CRM_TRY(close, close_record_from_json(*c, join(path, "close")));
        o.close = std::move(close);
    }
    CRM_TRY(custom, custom_of(j, path));
    o.custom = std::move(custom);
    Timestamp* times[] = {&o.created_at, &o.updated_at, &o.stage_entered_at};
    const char* time_keys[] = {"created_at", "updated_at", "stage_entered_at"};
    for (int i = 0; i < 3; ++i) {
        CRM_TRY(t, get_time(j, time_keys[i], path));
        *times[i] = t.value_or(Timestamp{});
    }
    CRM_TRY(closed_at, get_time(j, "closed_at", path));
    o.closed_at = closed_at;
    CRM_TRY(v, get_int(j, "version", path));
    o.version = v.value_or(1);
    return o;
}

result<Opportunity> opportunity_from_text(std::string_view text) {
    json_pull::Reader r(text);
    Opportunity o;
    std::string s;
    std::optional<error> bad;  // a member that parsed as JSON but is not valid
    auto id = [&](Id& out) {
        if (r.null()) return (out = Id{}), true;
        if (!r.string(s)) return false;
        auto parsed = Id::parse(s);
        if (!parsed) return r.fail();
        out = parsed.value();
        return true;
    };
    auto time = [&](std::optional<Timestamp>& out, const char* key) {
        if (r.null()) return out.reset(), true;
        if (!r.string(s)) return false;
        auto parsed = parse_iso8601(s, key);
        if (!parsed) return bad = parsed.error(), r.fail();
        out = parsed.value();
        return true;
    };
    auto instant = [&](Timestamp& out, const char* key) {
        std::optional<Timestamp> t;
        if (!time(t, key)) return false;
        out = t.value_or(Timestamp{});
        return true;
    };
    auto money = [&](std::optional<Money>& out) {
        if (r.null()) return out.reset(), true;
        Money m;
        bool minor = false, currency = false;
        if (!r.object([&](const std::string& k) {
                if (k == "minor") return minor = r.integer(m.minor);
                if (k == "currency") return currency = r.string(m.currency);
                return r.skip();
            }))
            return false;
        if (!minor || !currency) return r.fail();
        out = std::move(m);
        return true;
    };
    auto integer = [&](auto& out) {
        std::int64_t v = 0;
        if (!r.integer(v)) return false;
        out = static_cast<std::remove_reference_t<decltype(out)>>(v);
        return true;
    };
    auto strings = [&](std::vector<std::string>& out) {
        out.clear();
        return r.array([&] { return r.string(s) && (out.push_back(s), true); });
    };
    // The close record and custom values are rare and nested: read by the
    // same functions as any JSON form.
    auto tree = [&](const char* key, auto&& read) {
        std::string_view raw;
        if (!r.span(raw)) return false;
        const json j = json::parse(raw, nullptr, false);
        if (j.is_discarded()) return r.fail();
        if (auto e = read(j, key); !e) return bad = e.error(), r.fail();
        return true;
    };
    std::string* texts[] = {&o.external_id, &o.name,   &o.owner,  &o.team,
                            &o.pipeline,    &o.stage,  &o.status, &o.forecast_category,
                            &o.expected_close, &o.campaign};
    constexpr std::string_view text_keys[] = {"external_id", "name",   "owner",  "team",
                                              "pipeline",    "stage",  "status", "forecast_category",
                                              "expected_close", "campaign"};
    const bool read = r.object([&](const std::string& k) -> bool {
        for (std::size_t i = 0; i < std::size(text_keys); ++i)
            if (k == text_keys[i]) return r.null() ? (texts[i]->clear(), true) : r.string(*texts[i]);
        if (k == "id") return id(o.id);
        if (k == "party") return id(o.party);
        if (k == "source_lead") return id(o.source_lead);
        if (k == "pipeline_version") return integer(o.pipeline_version);
        if (k == "probability") return integer(o.probability);
        if (k == "version") return integer(o.version);
        if (k == "amount") return money(o.amount);
        if (k == "competitors") return strings(o.competitors);
        if (k == "products") return strings(o.products);
        if (k == "created_at") return instant(o.created_at, "created_at");
        if (k == "updated_at") return instant(o.updated_at, "updated_at");
        if (k == "stage_entered_at") return instant(o.stage_entered_at, "stage_entered_at");
        if (k == "closed_at") return time(o.closed_at, "closed_at");
        if (k == "close") {
            if (r.null()) return o.close.reset(), true;
            return tree("close", [&](const json& j, const char* key) -> result<void> {
                CRM_TRY(c, close_record_from_json(j, key));
                o.close = std::move(c);
                return ok();
            });
        }
        if (k == "custom")
            return tree("custom", [&](const json& j, const char*) -> result<void> {
                json holder = json::object();
                holder["custom"] = j;
                CRM_TRY(custom, custom_of(holder, ""));
                o.custom = std::move(custom);
                return ok();
            });
        return r.skip();
    });
    if (bad) return fail(errc::storage, "an opportunity's stored body is not valid: " + bad->message);
    if (!read || !r.done()) return fail(errc::storage, "an opportunity's stored body is not valid JSON");
    return o;
}

result<OpportunityInput> opportunity_input_from_json(const json& j, std::string_view path,
                                                     bool creating) {
    if (!j.is_object()) return fail(errc::invalid_argument, "must be an object", std::string(path));
    OpportunityInput in;
    std::optional<std::string>* texts[] = {&in.external_id, &in.name,           &in.owner,
                                           &in.team,        &in.expected_close, &in.campaign};
    const char* keys[] = {"external_id", "name", "owner", "team", "expected_close", "campaign"};
    for (std::size_t i = 0; i < std::size(keys); ++i) {
        CRM_TRY(s, get_string(j, keys[i], path, 1000));
        *texts[i] = std::move(s);
    }
    CRM_TRY(party, get_id(j, "party", path));
    in.party = party;
    CRM_TRY(lead, get_id(j, "source_lead", path));
    in.source_lead = lead;
    if (auto it = j.find("amount"); it != j.end() && it->is_null()) {
        in.clear_amount = true;
    } else {
        CRM_TRY(amount, optional_money(j, "amount", path));
        in.amount = amount;
    }
    CRM_TRY(probability, get_int(j, "probability", path));
    if (probability) {
        if (*probability < 0 || *probability > 100)
            return fail(errc::invalid_argument, "must be from 0 to 100", join(path, "probability"));
        in.probability = static_cast<int>(*probability);
    }
    CRM_TRY(competitors, get_strings(j, "competitors", path));
    in.competitors = competitors;
    CRM_TRY(products, get_strings(j, "products", path));
    in.products = products;
    CRM_TRY(custom, custom_of(j, path));
    in.custom = std::move(custom);
    CRM_TRY(pipeline, get_string(j, "pipeline", path, 64));
    if (pipeline && !creating)
        return fail(errc::invalid_argument,
                    "cannot change; move the opportunity to another version with a migration",
                    join(path, "pipeline"));
    in.pipeline = pipeline.value_or("");
    return in;
}

// The text fields of a lead, in the order both directions read them.
namespace {
constexpr const char* kLeadTexts[] = {
    "external_id", "source", "channel", "campaign", "first_name", "last_name",  "company",
    "job_title",   "email",  "phone",   "national_id", "city",    "interest",   "note",
    "owner"};
std::string* lead_texts(Lead& l, std::size_t i) {
    std::string* fields[] = {&l.external_id, &l.source,     &l.channel,  &l.campaign,
                             &l.first_name,  &l.last_name,  &l.company,  &l.job_title,
                             &l.email,       &l.phone,      &l.national_id, &l.city,
                             &l.interest,    &l.note,       &l.owner};
    return fields[i];
}
std::optional<std::string>* input_texts(LeadInput& l, std::size_t i) {
    std::optional<std::string>* fields[] = {
        &l.external_id, &l.source, &l.channel, &l.campaign,    &l.first_name,
        &l.last_name,   &l.company, &l.job_title, &l.email,    &l.phone,
        &l.national_id, &l.city,   &l.interest, &l.note,       &l.owner};
    return fields[i];
}
}  // namespace

json to_json(const Lead& l) {
    json j = {{"id", to_json(l.id)}};
    Lead copy = l;
    for (std::size_t i = 0; i < std::size(kLeadTexts); ++i) j[kLeadTexts[i]] = *lead_texts(copy, i);
    json lines = json::array();
    for (const auto& s : l.score_lines) lines.push_back({{"rule", s.rule}, {"points", s.points}});
    j.update({{"process", l.process},
              {"process_version", l.process_version},
              {"state", l.state},
              {"status", l.status},
              {"disqualify_reason", l.disqualify_reason},
              {"score", l.score},
              {"score_lines", std::move(lines)},
              {"party", to_json(l.party)},
              {"organization", to_json(l.organization)},
              {"opportunity", to_json(l.opportunity)},
              {"custom", to_json(l.custom)},
              {"created_at", time_json(l.created_at)},
              {"updated_at", time_json(l.updated_at)},
              {"converted_at", l.converted_at ? time_json(*l.converted_at) : json(nullptr)},
              {"version", l.version}});
    return j;
}

namespace {

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

json to_json(const Forecast& f) {
    const auto sums = [](const ForecastRow::Sums& s) {
        return json{{"count", s.count}, {"amount_minor", s.amount_minor},
                    {"weighted_minor", s.weighted_minor}};
    };
    json rows = json::array();
    for (const auto& r : f.rows)
        rows.push_back({{"group", r.group},
                        {"currency", r.currency},
                        {"pipeline", sums(r.pipeline)},
                        {"best_case", sums(r.best_case)},
                        {"commit", sums(r.commit)},
                        {"omitted", sums(r.omitted)},
                        {"won_count", r.won_count},
                        {"lost_count", r.lost_count},
                        {"won_minor", r.won_minor},
                        {"win_rate", r.win_rate},
                        {"average_deal_minor", r.average_deal_minor},
                        {"cycle_median_days", optional_number(r.cycle_median_days)},
                        {"cycle_mean_days", optional_number(r.cycle_mean_days)},
                        {"at_start", sums(r.at_start)},
                        {"forecast_accuracy", optional_number(r.forecast_accuracy)},
                        {"target_minor", r.target_minor ? json(*r.target_minor) : json(nullptr)},
                        {"attainment", optional_number(r.attainment)},
                        {"coverage", optional_number(r.coverage)}});
    json stages = json::array();
    for (const auto& s : f.stages)
        stages.push_back({{"pipeline", s.pipeline},
                          {"stage", s.stage},
                          {"moves", s.moves},
                          {"average_days", s.average_days}});
    return {{"period", f.period}, {"from_date", f.from_date}, {"to_date", f.to_date},
            {"from", time_json(f.from)}, {"to", time_json(f.to)}, {"rows", std::move(rows)},
            {"stages", std::move(stages)}};
}

result<std::vector<ForecastTarget>> targets_from_json(const json& j, std::string_view path) {
    std::vector<ForecastTarget> out;
    auto t = j.find("targets");
    if (t == j.end() || t->is_null()) return out;
    const std::string at = join(path, "targets");
    if (!t->is_array()) return fail(errc::invalid_argument, "must be an array", at);
    if (t->size() > 10000) return fail(errc::invalid_argument, "more than 10000 targets", at);
    for (std::size_t i = 0; i < t->size(); ++i) {
        const std::string item_path = at + "[" + std::to_string(i) + "]";
        const json& item = (*t)[i];
        CRM_TRYV(expect_object(item, item_path, {"group", "amount"}));
        CRM_TRY(group, get_string(item, "group", item_path, 200));
        auto a = item.find("amount");
        if (a == item.end()) return fail(errc::invalid_argument, "is required", item_path + ".amount");
        CRM_TRY(amount, money_from_json(*a, item_path + ".amount"));
        out.push_back({group.value_or(""), amount});
    }
    return out;
}

json to_json(const StageSnapshot& s) {
    return {{"stage", s.stage}, {"label", s.label}, {"category", s.category}, {"currency", s.currency},
            {"count", s.count},
            {"amount_minor", s.amount_minor}, {"weighted_minor", s.weighted_minor}};
}

json to_json(const Conversion& c) {
    return {{"party", to_json(c.party)},
            {"party_created", c.party_created},
            {"matched_by", c.matched_by},
            {"organization", to_json(c.organization)},
            {"organization_created", c.organization_created},
            {"opportunity", to_json(c.opportunity)},
            {"already_converted", c.already_converted}};
}

result<Lead> lead_from_json(const json& j, std::string_view path) {
    if (!j.is_object()) return fail(errc::storage, "a lead is not a JSON object", std::string(path));
    Lead l;
    for (std::size_t i = 0; i < std::size(kLeadTexts); ++i) {
        CRM_TRY(s, text_or_empty(j, kLeadTexts[i], path, 65536));
        *lead_texts(l, i) = std::move(s);
    }
    Id* ids[] = {&l.id, &l.party, &l.organization, &l.opportunity};
    const char* id_keys[] = {"id", "party", "organization", "opportunity"};
    for (int i = 0; i < 4; ++i) {
        CRM_TRY(id, get_id(j, id_keys[i], path));
        *ids[i] = id.value_or(Id{});
    }
    std::string* texts[] = {&l.process, &l.state, &l.status, &l.disqualify_reason};
    const char* text_keys[] = {"process", "state", "status", "disqualify_reason"};
    for (int i = 0; i < 4; ++i) {
        CRM_TRY(s, text_or_empty(j, text_keys[i], path, 1000));
        *texts[i] = std::move(s);
    }
    CRM_TRY(version, get_int(j, "process_version", path));
    l.process_version = static_cast<int>(version.value_or(0));
    CRM_TRY(score, get_int(j, "score", path));
    l.score = static_cast<int>(score.value_or(0));
    if (const json* lines = member(j, "score_lines"); lines && lines->is_array())
        for (const auto& line : *lines) {
            CRM_TRY(rule, text_or_empty(line, "rule", path, 200));
            CRM_TRY(points, get_int(line, "points", path));
            l.score_lines.push_back({std::move(rule), static_cast<int>(points.value_or(0))});
        }
    CRM_TRY(custom, custom_of(j, path));
    l.custom = std::move(custom);
    CRM_TRY(created, get_time(j, "created_at", path));
    l.created_at = created.value_or(Timestamp{});
    CRM_TRY(updated, get_time(j, "updated_at", path));
    l.updated_at = updated.value_or(Timestamp{});
    CRM_TRY(converted, get_time(j, "converted_at", path));
    l.converted_at = converted;
    CRM_TRY(v, get_int(j, "version", path));
    l.version = v.value_or(1);
    return l;
}

result<LeadInput> lead_input_from_json(const json& j, std::string_view path, bool creating) {
    if (!j.is_object()) return fail(errc::invalid_argument, "must be an object", std::string(path));
    LeadInput in;
    for (std::size_t i = 0; i < std::size(kLeadTexts); ++i) {
        CRM_TRY(s, get_string(j, kLeadTexts[i], path, 65536));
        *input_texts(in, i) = std::move(s);
    }
    CRM_TRY(party, get_id(j, "party", path));
    in.party = party;
    CRM_TRY(custom, custom_of(j, path));
    in.custom = std::move(custom);
    CRM_TRY(process, get_string(j, "process", path, 64));
    if (process && !creating)
        return fail(errc::invalid_argument, "cannot change", join(path, "process"));
    in.process = process.value_or("");
    return in;
}

result<ConvertOptions> convert_options_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"create_opportunity", "opportunity_name", "pipeline",
                                     "amount", "owner"}));
    ConvertOptions o;
    CRM_TRY(create, get_bool(j, "create_opportunity", path));
    o.create_opportunity = create.value_or(false);
    CRM_TRY(name, text_or_empty(j, "opportunity_name", path, 500));
    o.opportunity_name = std::move(name);
    CRM_TRY(pipeline, text_or_empty(j, "pipeline", path, 64));
    o.pipeline = std::move(pipeline);
    CRM_TRY(amount, optional_money(j, "amount", path));
    o.amount = amount;
    CRM_TRY(owner, text_or_empty(j, "owner", path, 200));
    o.owner = std::move(owner);
    return o;
}

}  // namespace crm::codec
