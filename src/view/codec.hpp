// src/view/codec.hpp - the 360 view's JSON form, built from the codecs of
// the contexts it gathers.
#pragma once

#include <string>
#include <string_view>

#include "core/json_read.hpp"
#include "crm/view/customer_360.hpp"

namespace crm::codec {

json to_json(const Customer360& v);
/// The JSON text of one part of a 360 view kept in the catalogue's JSON
/// form ("open_opportunities", "open_leads", "open_quotes", "open_tickets":
/// arrays; "last_csat", "last_nps": an object or null; anything else:
/// "[]"), for bindings that hand records on as parsed JSON.
std::string view_part_json(const Customer360& v, std::string_view which);

}  // namespace crm::codec
