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

/// Marks a type or function of the implementation as never exported, even
/// when it is nested in an exported class.
#if defined(_WIN32)
#  define CRM_LOCAL
#else
#  define CRM_LOCAL __attribute__((visibility("hidden")))
#endif
