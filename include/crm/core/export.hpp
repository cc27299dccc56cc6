// crm/core/export.hpp - CRM_API and CRM_LOCAL for the C++ headers; the
// definitions live in crm/export.h, shared with the C ABI's crm.h.
#pragma once

#include "crm/export.h"
