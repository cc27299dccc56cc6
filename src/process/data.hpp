// src/process/data.hpp - what a validated process definition holds.
#pragma once

#include "crm/process/process.hpp"

namespace crm::process {

struct Definition::Data {
    std::string id;
    std::string record_type;
    std::string name;
    std::string calendar;
    int version = 0;
    Card card;
    std::vector<State> states;
    std::vector<Transition> transitions;
    std::size_t initial = 0;  // index into states
};

}  // namespace crm::process
