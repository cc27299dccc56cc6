// src/analytics/stats_codec.hpp - the JSON of a rate with its interval and
// of two rates compared, as every report that shows one writes it
// (implemented in analytics/codec.cpp).
#pragma once

#include "core/json_read.hpp"
#include "crm/analytics/stats.hpp"

namespace crm::codec {

json to_json(const analytics::Proportion& p);
json to_json(const analytics::ProportionTest& t);

}  // namespace crm::codec
