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
 *
 * Nothing C++ crosses this boundary: no exception escapes a crm_ function.
 *
 * Time is UTC milliseconds since 1970-01-01 in int64_t, or ISO 8601 text
 *   ("2024-03-20T10:15:00Z") inside JSON.
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
#define CRM_VERSION_MINOR 1
#define CRM_VERSION_PATCH 0
#define CRM_VERSION_STRING "0.1.0"
#define CRM_VERSION_NUMBER \
    (CRM_VERSION_MAJOR * 10000 + CRM_VERSION_MINOR * 100 + CRM_VERSION_PATCH)

/*
 * The version of the library actually loaded, which may be newer than the
 * header a program was compiled with: crm_version() returns its
 * CRM_VERSION_STRING ("0.1.0"; owned by the library, never NULL) and
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
 * appended. CRM_EINVALID .. CRM_EINTERNAL are the negations of the C++
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
    CRM_ENOMEM = -11              /* out of memory */
} crm_status;

/*
 * The lower-case name of a status ("not_found", "out_of_memory", "ok"), as
 * the C++ and Python interfaces spell it; "unknown" for other values.
 * Owned by the library, never NULL. Thread-safe. Since 0.1.
 */
CRM_API const char *crm_status_name(int status);

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
 * are serialised inside. Two exceptions: crm_engine_close() must not run
 * while another thread uses the engine, and an explicit transaction
 * (crm_begin) takes in the calls of every thread until it ends, so open one
 * only where you control which threads use the engine meanwhile.
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
 * Since 0.1 (version 1).
 */
typedef struct crm_open_options {
    /* CRM_OPEN_OPTIONS_VERSION of the header the caller was compiled with. */
    unsigned int version;
    /* Where the data lives: "memory:" (ephemeral, the default when NULL),
     * "sqlite:PATH" or a bare PATH of an SQLite file, created and migrated
     * when needed. UTF-8. */
    const char *database;
    /* ISO 3166 region of phone numbers written without a country code;
     * NULL means "IR". */
    const char *default_region;
    /* 0: "now" is read from the system clock. Otherwise the engine runs on
     * a manual clock that starts at this many milliseconds since 1970 (UTC)
     * and moves only by crm_set_now(); for tests and replays. Must not be
     * negative. */
    int64_t fixed_now_ms;
} crm_open_options;

/* The newest crm_open_options version this header knows. Since 0.1. */
#define CRM_OPEN_OPTIONS_VERSION 1

/* Static initialiser of a crm_open_options with the defaults. Since 0.1. */
#define CRM_OPEN_OPTIONS_INIT { CRM_OPEN_OPTIONS_VERSION, NULL, NULL, 0 }

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
 * "opts.version" when 0); CRM_EVERSION when opts->version is newer than this
 * library or the database was written by a newer crmcore; CRM_ESTORAGE when
 * the database cannot be opened or created.
 * Thread-safe. Since 0.1.
 */
CRM_API int crm_engine_open(crm_engine **out /* OUT */, const crm_open_options *opts);

/*
 * Closes an engine and sets *engine to NULL. An explicit transaction still
 * open is rolled back. NULL, or a pointer to NULL, is a harmless no-op.
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
 *   field.define  field.list  customer.view  search  duplicates.find  merge
 *   interaction.log  timeline.get
 *   activity.schedule  activity.complete  activity.cancel
 *   activity.overdue  activity.due_by  purchase.record  purchase.list
 *   process.define  process.get  process.list  calendar.define  history.get
 *   opportunity.create  opportunity.update  opportunity.get  opportunity.list
 *   opportunity.move  opportunity.win  opportunity.lose  opportunity.reopen
 *   opportunity.moves  opportunity.migrate  pipeline.show
 *   lead.capture  lead.update  lead.get  lead.list  lead.move  lead.disqualify
 *   lead.convert  lead.scoring  forecast  pipeline.as_of
 *   product.define  product.get  product.list  tax.define  tax.list
 *   quote.create  quote.update  quote.get  quote.list  quote.move
 *   quote.revise  quote.order  quote.moves
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
 *   campaign.plan_get  campaign.dispatch  campaign.report
 *   loyalty.define  loyalty.get  loyalty.list  loyalty.enrol  loyalty.status
 *   loyalty.redeem  loyalty.adjust  loyalty.refresh
 *   audit.trail  events.after  events.ack  events.cursor
 *   import.customers  import.orders  export.customers  commands
 *
 * Returns CRM_OK; CRM_EINVALID for NULL arguments (field "engine",
 * "method", "out_response_json") and invalid requests; CRM_EPARSE when the
 * request is not valid UTF-8 JSON (field "request"); CRM_ENOTFOUND for an
 * unknown method (field "method") or a missing record; or any status the
 * command itself returns.
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
 * crm_begin() groups the following calls on the engine (of every thread)
 * into one transaction until crm_commit() or crm_rollback(). A command that
 * fails inside it is undone alone; the transaction stays open.
 *
 * Returns CRM_OK; CRM_EINVALID for a NULL engine; CRM_ECONFLICT from
 * crm_begin() when a transaction is already open, and from crm_commit() /
 * crm_rollback() when none is; CRM_ESTORAGE when the database fails.
 * Thread-safe, but the transaction is the engine's, not the calling
 * thread's: any thread may commit what another began (see crm_engine).
 * Since 0.1.
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
 * Returns CRM_OK; CRM_EINVALID for a NULL engine or a negative ms (field
 * "ms"); CRM_EUNSUPPORTED when the engine reads the system clock.
 * Thread-safe. Since 0.1.
 */
CRM_API int crm_set_now(crm_engine *engine, int64_t ms);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CRM_H */
