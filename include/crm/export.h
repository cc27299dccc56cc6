/* crm/export.h - CRM_API, the one macro that exports a symbol from the
 * shared library, for the C ABI and the C++ API alike. Everything else is
 * hidden (-fvisibility=hidden). Plain C: crm.h includes it too. */
#ifndef CRM_EXPORT_H
#define CRM_EXPORT_H

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

/* Marks a type or function of the implementation as never exported, even
 * when it is nested in an exported class. */
#if defined(_WIN32)
#  define CRM_LOCAL
#else
#  define CRM_LOCAL __attribute__((visibility("hidden")))
#endif

#endif /* CRM_EXPORT_H */
