// crm/core/export.hpp - CRM_API, the one macro that exports a symbol from
// the shared library. Everything else is hidden (-fvisibility=hidden).
#pragma once

#if defined(CRM_STATIC)
#  define CRM_API
#elif defined(_WIN32)
#  if defined(CRM_BUILDING)
#    define CRM_API __declspec(dllexport)
#  else
#    define CRM_API __declspec(dllimport)
#  endif
#else
#  define CRM_API __attribute__((visibility("default")))
#endif
