/*
 * crm.h - the C interface of crmcore, an embeddable CRM library.
 *
 * This header is the specification of the C ABI: a function that is not
 * declared and documented here is not public. It is C99, includes no C++
 * header, and stays stable: status codes are never renumbered, options
 * structs are only ever appended to (behind a version field), and changed
 * behaviour arrives as a new function (crm_foo_v2) instead of a changed
 * signature.
 *
 * A FIRST PROGRAM
 *
 *     crm_open_options opts = CRM_OPEN_OPTIONS_INIT;
 *     crm_engine *engine = NULL;
 *     char *party = NULL;
 *     opts.database = "sqlite:crm.db";
 *     if (crm_engine_open(&engine, &opts) != CRM_OK ||
 *         crm_execute(engine, "party.upsert",
 *                     "{\"external_id\":\"C-1001\",\"first_name\":\"Ali\"}",
 *                     &party) != CRM_OK) {
 *         fprintf(stderr, "crm: %s\n", crm_error_last()->message);
 *     } else {
 *         puts(party);
 *     }
 *     crm_free(party);
 *     crm_engine_close(&engine);
 *
 * CONVENTIONS (they hold for every function below)
 *
 * Status. A function that can fail returns an int: CRM_OK (0) on success,
 *   or one of the negative crm_status codes. The status, never a message,
 *   is the success signal.
 *
 * Errors. A failing function records why in the calling thread's last
 *   error (crm_error_last()): the status, a message and, when the caller's
 *   input was at fault, the path of the offending field. A function that
 *   returns a status clears the last error when it succeeds. Errors are
 *   per thread: one thread never sees another's.
 *
 * Out-parameters are marked OUT and come first where the function creates
 *   the object (crm_engine_open); functions acting on an engine take the
 *   engine first. On failure every OUT pointer is set to NULL, so it is
 *   always safe to pass it to crm_free() afterwards.
 *
 * Ownership. Every char* the library returns through an OUT parameter
 *   belongs to the caller, who frees it with crm_free() (never with the
 *   host's own free(): allocators are not mixed). Every const char* the
 *   library returns (version, error texts, status names) belongs to the
 *   library and must not be freed. Strings passed in are only read during
 *   the call and may be freed as soon as it returns.
 *
 * Text is UTF-8 everywhere; invalid UTF-8 is rejected (CRM_EINVALID or
 *   CRM_EPARSE naming the field), never stored.
 *
 * Payloads are JSON. Records go in and come out as UTF-8 JSON objects;
 *   crm_execute() runs an operation of the command catalogue by name, so a
 *   new operation adds an entry to the catalogue, not a symbol to this
 *   header. crm_commands() lists the catalogue.
 *
 * Pointer arguments are checked: a NULL where a value is required fails
 *   with CRM_EINVALID, the field naming the argument ("engine", "method").
 *   An engine that is closed or was never returned by crm_engine_open()
 *   fails with CRM_EMISUSE (field "engine") instead of being used; so does
 *   crm_free() of a string already freed, which then frees nothing.
 *
 * Nothing C++ crosses this boundary: no exception escapes a crm_ function.
 *
 * Time is UTC milliseconds since 1970-01-01 in int64_t, or text inside
 *   JSON: "2024-03-20T10:15:00Z", "2024-03-20" (midnight UTC). Text
 *   without a zone is UTC. A year below 1700 is a Solar Hijri (Jalali)
 *   year: "1404-03-01" is 2025-05-22; a year below 1000 is refused. Every
 *   instant lies in CRM_LIMIT_EARLIEST_MS .. CRM_LIMIT_LATEST_MS.
 *
 * Linking. Symbols are hidden by default; the functions below are the only
 *   ones libcrmcore exports for C (marked CRM_API). Define CRM_STATIC
 *   before including this header when linking a static build on Windows.
 */
#ifndef CRM_H
#define CRM_H

#include <stddef.h> /* NULL, in CRM_OPEN_OPTIONS_INIT */
#include <stdint.h>

#include "crm/export.h" /* CRM_API: what libcrmcore exports */

#ifdef __cplusplus
extern "C" {
#endif

/* ========================================================================
 * Versions
 * ===================================================================== */

/*
 * The version of this header, following semantic versioning: within one
 * major version, a program built against an older header runs against a
 * newer library. CRM_VERSION_NUMBER is MAJOR * 10000 + MINOR * 100 + PATCH.
 * Since 0.1.
 */
#define CRM_VERSION_MAJOR 0
#define CRM_VERSION_MINOR 2
#define CRM_VERSION_PATCH 0
#define CRM_VERSION_STRING "0.2.0"
#define CRM_VERSION_NUMBER \
    (CRM_VERSION_MAJOR * 10000 + CRM_VERSION_MINOR * 100 + CRM_VERSION_PATCH)

/*
 * The version of the library actually loaded, which may be newer than the
 * header a program was compiled with: crm_version() returns its
 * CRM_VERSION_STRING ("0.2.0"; owned by the library, never NULL) and
 * crm_version_number() its CRM_VERSION_NUMBER.
 * Thread-safe. Since 0.1.
 */
CRM_API const char *crm_version(void);
CRM_API int crm_version_number(void);

/* ========================================================================
 * Status codes
 * ===================================================================== */

/*
 * What a function returns. The values are fixed forever; new codes are
 * appended. CRM_EINVALID .. CRM_EMISUSE are the negations of the C++
 * crm::errc values, so the C, C++ and Python interfaces report the same
 * kinds of failure. Since 0.1.
 */
typedef enum crm_status {
    CRM_OK = 0,                   /* success */
    CRM_EINVALID = -1,            /* input failed validation; the error's field names it */
    CRM_ENOTFOUND = -2,           /* the addressed record (or command) does not exist */
    CRM_ECONFLICT = -3,           /* uniqueness or concurrent-change violation; a
                                     transaction already (or not) open */
    CRM_EINVALID_TRANSITION = -4, /* the record's state does not allow the move */
    CRM_EPERMISSION = -5,         /* the context's actor may not do this */
    CRM_ESTORAGE = -6,            /* the database failed: I/O, corrupt file, locked */
    CRM_EPARSE = -7,              /* malformed JSON (or CSV, date, number) text */
    CRM_EUNSUPPORTED = -8,        /* a feature this engine or build does not have */
    CRM_EVERSION = -9,            /* a database or options struct from a newer crmcore */
    CRM_EINTERNAL = -10,          /* a bug in crmcore; please report it */
    CRM_ENOMEM = -11,             /* out of memory */
    CRM_EMISUSE = -12             /* the library was called wrongly: an engine that is
                                     closed or was never opened, a string freed twice
                                     (since 0.2) */
} crm_status;

/*
 * The lower-case name of a status ("not_found", "out_of_memory", "ok"), as
 * the C++ and Python interfaces spell it; "unknown" for other values.
 * Owned by the library, never NULL. Thread-safe. Since 0.1.
 */
CRM_API const char *crm_status_name(int status);

/* ========================================================================
 * Limits
 * ===================================================================== */

/*
 * What every door of the library checks before it does work that grows
 * with the input; a request beyond one fails with CRM_EINVALID and a
 * message naming the limit, before anything is read or written.
 *
 *   CRM_LIMIT_REQUEST_BYTES  bytes of one request_json (64 MiB);
 *   CRM_LIMIT_JSON_DEPTH     nesting of arrays and objects in one request
 *                            (the outermost object is level 1);
 *   CRM_LIMIT_JSON_VALUES    values (objects, arrays, strings, numbers,
 *                            literals) in one request;
 *   CRM_LIMIT_SEARCH_WINDOW  offset + limit of a search;
 *   CRM_LIMIT_EARLIEST_MS, CRM_LIMIT_LATEST_MS
 *                            the instants a time may name: years 1700 to
 *                            9999 (UTC milliseconds since 1970).
 *
 * Each field has its own limits besides (text lengths, list sizes, page
 * sizes); crm_commands() and docs/C-ABI.md state them. A key given twice
 * in one JSON object is refused (CRM_EINVALID naming its path).
 * Since 0.2.
 */
#define CRM_LIMIT_REQUEST_BYTES (64u * 1024u * 1024u)
#define CRM_LIMIT_JSON_DEPTH 128
#define CRM_LIMIT_JSON_VALUES 1000000
#define CRM_LIMIT_SEARCH_WINDOW 10000
#define CRM_LIMIT_EARLIEST_MS (-8520336000000LL)
#define CRM_LIMIT_LATEST_MS 253402300799999LL

/* ========================================================================
 * Errors
 * ===================================================================== */

/*
 * Why the calling thread's most recent call failed.
 *
 *   status   the crm_status that call returned (CRM_OK when there is no
 *            error);
 *   message  English, human-readable, starting with the field path when
 *            there is one ("contacts[0].value: is not a valid phone
 *            number"); never NULL;
 *   field    the path of the offending input, as a JSON path into the
 *            request ("changes.city", "merged[1]") or the name of the C
 *            argument ("engine", "opts.version"); "" when no input was at
 *            fault; never NULL.
 *
 * The struct and its strings belong to the library. They stay valid until
 * the calling thread's next call of a crm_ function other than
 * crm_error_last(), or until the thread ends; copy what you need to keep.
 * Only the library creates this struct: fields may be appended to it in
 * later versions, so never allocate or copy one by value.
 * Since 0.1.
 */
typedef struct crm_error {
    int status;
    const char *message;
    const char *field;
} crm_error;

/*
 * The calling thread's last error; never NULL. With no error it is
 * {CRM_OK, "no error", ""}. After an out-of-memory failure it is a static
 * {CRM_ENOMEM, "out of memory", ""}, so reporting running out of memory
 * never allocates. Thread-safe (each thread has its own). Since 0.1.
 */
CRM_API const crm_error *crm_error_last(void);

/*
 * Resets the calling thread's last error to "no error". Thread-safe.
 * Since 0.1.
 */
CRM_API void crm_error_clear(void);

/* ========================================================================
 * Memory
 * ===================================================================== */

/*
 * Frees a string the library returned through an OUT parameter. NULL is a
 * harmless no-op. Any thread may free what any other thread received.
 * A pointer the library did not return, or returned and already freed, is
 * left alone and recorded as CRM_EMISUSE in the calling thread's last error
 * (since 0.2; the library keeps the set of strings it handed out).
 * Since 0.1.
 */
CRM_API void crm_free(void *ptr);

/* ========================================================================
 * Engines
 * ===================================================================== */

/*
 * crm_engine - an open database and the CRM working on it; opaque.
 *
 * Lifecycle: crm_engine_open() -> any number of crm_execute(),
 * crm_begin()/crm_commit()/crm_rollback(), crm_events_after(),
 * crm_events_ack(), crm_set_now() -> crm_engine_close().
 *
 * Threading: an engine may be used by several threads at once; its calls
 * are serialised inside. crm_engine_close() must not run while another
 * thread uses the engine. An explicit transaction (crm_begin) belongs to
 * the thread that began it (since 0.2): while it is open, other threads'
 * calls wait for it to end, at most busy_timeout_ms, then fail with
 * CRM_ECONFLICT; they never run inside it.
 * Several engines (even on one SQLite file) may be open at once.
 */
typedef struct crm_engine crm_engine;

/*
 * Options of crm_engine_open().
 *
 * Versioned: `version` comes first and says which fields the caller's
 * struct has; fields are only ever appended, each new field raising
 * CRM_OPEN_OPTIONS_VERSION. Initialise a struct with CRM_OPEN_OPTIONS_INIT
 * or crm_open_options_init(), then set the fields you need; both give the
 * defaults below. The library reads the struct (and copies its strings)
 * only during crm_engine_open().
 * Since 0.1 (version 1); mode, busy_timeout_ms and the file directories
 * since 0.2 (version 2).
 */
typedef struct crm_open_options {
    /* CRM_OPEN_OPTIONS_VERSION of the header the caller was compiled with. */
    unsigned int version;
    /* Where the data lives: "memory:" (ephemeral, the default when NULL),
     * "sqlite:PATH" or a bare PATH of an SQLite file, created and migrated
     * when needed (see mode). Any other "memory:..." is refused. UTF-8. */
    const char *database;
    /* ISO 3166 region of phone numbers written without a country code;
     * NULL means "IR". */
    const char *default_region;
    /* 0: "now" is read from the system clock. Otherwise the engine runs on
     * a manual clock that starts at this many milliseconds since 1970 (UTC)
     * and moves only by crm_set_now(); for tests and replays. Must not be
     * negative nor after CRM_LIMIT_LATEST_MS. */
    int64_t fixed_now_ms;
    /* --- version 2 --- */
    /* CRM_OPEN_CREATE (0, the default): create the file when missing and
     * migrate an older schema. CRM_OPEN_MUST_EXIST: fail with CRM_ENOTFOUND
     * (field "opts.database") when the file is missing. CRM_OPEN_READ_ONLY:
     * the file must exist and is only read; writes fail with CRM_ESTORAGE.
     * "memory:" takes CRM_OPEN_CREATE only. */
    int mode;
    /* How long a call waits for a lock (another thread's transaction on
     * this engine, another connection's writer on the file), 0..600000 ms;
     * the default is 5000. */
    int busy_timeout_ms;
    /* The directories the file commands may read and write below
     * (import.customers, import.orders and export.customers given a
     * "path"): file_directory_count UTF-8 paths of existing directories.
     * 0, the default: those commands refuse paths with CRM_EPERMISSION and
     * take or give the CSV text in the request and response ("csv"), so a
     * host that forwards requests never exposes its file system. */
    const char *const *file_directories;
    size_t file_directory_count;
} crm_open_options;

/* The modes of crm_open_options.mode. Since 0.2. */
#define CRM_OPEN_CREATE 0
#define CRM_OPEN_MUST_EXIST 1
#define CRM_OPEN_READ_ONLY 2

/* The newest crm_open_options version this header knows. Since 0.1. */
#define CRM_OPEN_OPTIONS_VERSION 2

/* Static initialiser of a crm_open_options with the defaults. Since 0.1. */
#define CRM_OPEN_OPTIONS_INIT { CRM_OPEN_OPTIONS_VERSION, NULL, NULL, 0, CRM_OPEN_CREATE, 5000, NULL, 0 }

/*
 * Fills `opts` with the defaults of options `version`, which is
 * CRM_OPEN_OPTIONS_VERSION for the caller's header; equivalent to
 * CRM_OPEN_OPTIONS_INIT. Writes only the fields that version has.
 *
 * Returns CRM_OK; CRM_EINVALID when opts is NULL (field "opts") or version
 * is 0 (field "version"); CRM_EVERSION when `version` is newer than the
 * library knows (field "version"). Thread-safe. Since 0.1.
 */
CRM_API int crm_open_options_init(crm_open_options *opts, unsigned int version);

/*
 * Opens an engine.
 *
 *   out   OUT: the new engine, closed with crm_engine_close(); NULL on
 *         failure.
 *   opts  the options, or NULL for all defaults (an in-memory database).
 *
 * Returns CRM_OK; CRM_EINVALID for a NULL out (field "out") or a bad option
 * (field "opts.database", "opts.default_region", "opts.fixed_now_ms",
 * "opts.mode", "opts.busy_timeout_ms", "opts.file_directories[i]",
 * "opts.version" when 0); CRM_ENOTFOUND when mode is CRM_OPEN_MUST_EXIST or
 * CRM_OPEN_READ_ONLY and the file is missing; CRM_EVERSION when
 * opts->version is newer than this library or the database was written by
 * a newer crmcore; CRM_ESTORAGE when the database cannot be opened or
 * created. Opening a file whose schema is current takes no write lock, so
 * it never waits for another connection's writer.
 * Thread-safe. Since 0.1.
 */
CRM_API int crm_engine_open(crm_engine **out /* OUT */, const crm_open_options *opts);

/*
 * Closes an engine and sets *engine to NULL. An explicit transaction still
 * open is rolled back. NULL, or a pointer to NULL, is a harmless no-op; a
 * pointer to an engine already closed (a copy of the handle) is left alone
 * and recorded as CRM_EMISUSE in the last error.
 * Must not run while another thread uses the engine. Since 0.1.
 */
CRM_API void crm_engine_close(crm_engine **engine);

/* ========================================================================
 * Commands
 * ===================================================================== */

/*
 * Runs one command of the catalogue.
 *
 *   engine             the engine.
 *   method             the command's name, e.g. "party.upsert".
 *   request_json       the request, a UTF-8 JSON object; NULL means "{}".
 *                      Every request may carry
 *                      "context": {"actor": "...", "source": "..."}, which
 *                      mutating commands record in the audit trail
 *                      (default actor "system", source "api").
 *   out_response_json  OUT: the response, a UTF-8 JSON object the caller
 *                      frees with crm_free(); NULL on failure.
 *
 * Requests are read strictly: unknown fields, wrong types and invalid
 * values fail with CRM_EINVALID, the error's field giving the JSON path of
 * the offending value ("contacts[0].value"). Lists come back as
 * {"items": [...]}. A mutating command runs in one transaction (or, inside
 * crm_begin(), one savepoint): on failure it changes nothing.
 *
 * The commands (see crm_commands() for each one's request and response):
 *   party.create  party.upsert  party.update  party.get  party.set_consent
 *   party.link_organization  party.unlink_organization
 *   field.define  field.list  identifier.check  customer.view  search
 *   duplicates.find  merge
 *   interaction.log  timeline.get
 *   activity.schedule  activity.complete  activity.cancel
 *   activity.list  activity.overdue  activity.due_by  purchase.record  purchase.list
 *   process.define  process.get  process.list  calendar.define  calendar.holidays
 *   history.get
 *   opportunity.create  opportunity.update  opportunity.get  opportunity.list
 *   opportunity.move  opportunity.win  opportunity.lose  opportunity.reopen
 *   opportunity.moves  opportunity.migrate  pipeline.show
 *   lead.capture  lead.update  lead.get  lead.list  lead.move  lead.disqualify
 *   lead.convert  lead.scoring  forecast  pipeline.as_of
 *   product.define  product.get  product.list  tax.define  tax.list
 *   quote.create  quote.update  quote.get  quote.list  quote.move
 *   quote.revise  quote.order  quote.moves  money.text
 *   queue.define  queue.list  sla.define  sla.list  assignment.define
 *   assignment.list  escalation.define  escalation.list  ticket.auto_assign
 *   ticket.create
 *   ticket.update  ticket.get  ticket.list  ticket.move  ticket.moves
 *   ticket.assign  ticket.refer  ticket.merge  ticket.comment
 *   ticket.comments  ticket.explain_sla  ticket.csat  nps.record  nps.list
 *   portal.view  service.report  service.proactive  tick
 *   marketing.configure  marketing.settings  profile.get  profile.schema
 *   profile.rebuild  segment.define  segment.get  segment.list  segment.count
 *   segment.members  segment.sample  segment.explain  segment.memberships
 *   segment.history  segment.snapshot  segment.refresh  list.add  list.remove
 *   suppression.add  suppression.remove  suppression.list
 *   campaign.create  campaign.update  campaign.get  campaign.list
 *   campaign.move  campaign.members  campaign.status  campaign.plan
 *   campaign.plan_get  campaign.dispatch  campaign.report  sms.parts  sms.render
 *   loyalty.define  loyalty.get  loyalty.list  loyalty.enrol  loyalty.status
 *   loyalty.redeem  loyalty.adjust  loyalty.refresh
 *   analytics.clv.summary  analytics.clv.fit  analytics.clv.score
 *   analytics.clv.get  analytics.compare  analytics.funnel  analytics.cohorts
 *   analytics.dashboard
 *   audit.trail  events.after  events.ack  events.cursor
 *   import.customers  import.orders  export.customers  commands
 *
 * Returns CRM_OK; CRM_EINVALID for NULL arguments (field "engine",
 * "method", "out_response_json"), invalid requests and requests beyond a
 * limit (see Limits); CRM_EPARSE when the request is not valid UTF-8 JSON
 * (field "request"); CRM_ENOTFOUND for an unknown method (field "method")
 * or a missing record; CRM_EMISUSE for a closed or foreign engine;
 * CRM_ENOMEM when memory runs out (reading the request included); or any
 * status the command itself returns.
 * Thread-safe (see crm_engine). Since 0.1.
 */
CRM_API int crm_execute(crm_engine *engine, const char *method, const char *request_json,
                           char **out_response_json /* OUT */);

/*
 * The command catalogue as JSON, without an engine:
 * {"items": [{"method", "summary", "request", "response", "mutates"}]}.
 *
 *   out_json  OUT: freed by the caller with crm_free(); NULL on failure.
 *
 * Returns CRM_OK; CRM_EINVALID for a NULL out_json; CRM_ENOMEM.
 * Thread-safe. Since 0.1.
 */
CRM_API int crm_commands(char **out_json /* OUT */);

/* ========================================================================
 * Explicit transactions
 * ===================================================================== */

/*
 * crm_begin() groups the calling thread's following calls on the engine
 * into one transaction until that thread calls crm_commit() or
 * crm_rollback(). A command that fails inside it is undone alone; the
 * transaction stays open. Other threads' calls wait for it to end (at most
 * busy_timeout_ms, then CRM_ECONFLICT) rather than join it.
 *
 * Returns CRM_OK; CRM_EINVALID for a NULL engine; CRM_EMISUSE for a
 * closed one; CRM_ECONFLICT from crm_begin() when the calling thread has a
 * transaction open (or another thread's stays open past busy_timeout_ms),
 * and from crm_commit() / crm_rollback() when none is open or it belongs
 * to another thread; CRM_ESTORAGE when the database fails.
 * Thread-safe. Since 0.1; the transaction belongs to its thread since 0.2.
 */
CRM_API int crm_begin(crm_engine *engine);
CRM_API int crm_commit(crm_engine *engine);
CRM_API int crm_rollback(crm_engine *engine);

/* ========================================================================
 * Events
 * ===================================================================== */

/*
 * Reads the outbox: every mutation writes a domain event ("party.created",
 * "purchase.recorded", ...) in the same transaction as the change. A host
 * reads the events after the last cursor it handled, handles them, then
 * acknowledges the new cursor; delivery is at-least-once.
 *
 *   cursor    read events with seq > cursor (0: from the first); >= 0.
 *   limit     at most this many, 1..10000.
 *   out_json  OUT: {"items": [{"seq", "at", "type", "record_type",
 *             "record_id", "payload"}], "cursor": the last seq read (the
 *             given cursor when none)}; freed with crm_free(); NULL on
 *             failure.
 *
 * The same as crm_execute(engine, "events.after", ...).
 * Returns CRM_OK; CRM_EINVALID for a NULL engine or out_json, or a cursor
 * or limit out of range (field "cursor", "limit"); CRM_ESTORAGE.
 * Thread-safe. Since 0.1.
 */
CRM_API int crm_events_after(crm_engine *engine, int64_t cursor, int limit,
                                char **out_json /* OUT */);

/*
 * Records that `consumer` (a name such as "erp") has handled every event up
 * to and including `cursor`. The same as crm_execute(engine, "events.ack").
 * The last acknowledged cursor is the "events.cursor" command.
 *
 * Returns CRM_OK; CRM_EINVALID for a NULL engine or consumer, an empty
 * consumer, or a cursor that is negative or beyond the newest event;
 * CRM_ECONFLICT when the cursor is behind the one already acknowledged.
 * Thread-safe. Since 0.1.
 */
CRM_API int crm_events_ack(crm_engine *engine, const char *consumer, int64_t cursor);

/* ========================================================================
 * Clock
 * ===================================================================== */

/*
 * Sets "now" of an engine opened with a non-zero fixed_now_ms, in
 * milliseconds since 1970 (UTC); for tests and replays. Due dates,
 * overdue activities and timestamps follow it.
 *
 * Returns CRM_OK; CRM_EINVALID for a NULL engine or an ms that is negative
 * or after CRM_LIMIT_LATEST_MS (field "ms"); CRM_EUNSUPPORTED when the
 * engine reads the system clock.
 * Thread-safe. Since 0.1.
 */
CRM_API int crm_set_now(crm_engine *engine, int64_t ms);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CRM_H */
