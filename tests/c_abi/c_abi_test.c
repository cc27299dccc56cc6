/*
 * tests/c_abi/c_abi_test.c - the C ABI tested from C99, linked against the
 * shared libcrmcore so that only exported symbols are reachable.
 *
 * Each test case prints "ok NAME" or its failed checks; the last line is
 * "N passed, M failed" and the exit status is non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm.h"

#ifndef CRM_PROJECT_VERSION
#error "the build passes CRM_PROJECT_VERSION (project(VERSION) of CMakeLists.txt)"
#endif

#include "harness.h"

/* ---- versions, options, status names ------------------------------------ */

static void test_version(void) {
    char expected[64];
    CHECK(strcmp(crm_version(), CRM_VERSION_STRING) == 0);
    CHECK(strcmp(CRM_VERSION_STRING, CRM_PROJECT_VERSION) == 0);
    CHECK(crm_version_number() == CRM_VERSION_NUMBER);
    snprintf(expected, sizeof expected, "%d.%d.%d", CRM_VERSION_MAJOR, CRM_VERSION_MINOR,
             CRM_VERSION_PATCH);
    CHECK(strcmp(expected, CRM_VERSION_STRING) == 0);
    CHECK(CRM_VERSION_NUMBER ==
          CRM_VERSION_MAJOR * 10000 + CRM_VERSION_MINOR * 100 + CRM_VERSION_PATCH);
}

static void test_status_codes_are_fixed(void) {
    CHECK(CRM_OK == 0);
    CHECK(CRM_EINVALID == -1);
    CHECK(CRM_ENOTFOUND == -2);
    CHECK(CRM_ECONFLICT == -3);
    CHECK(CRM_EINVALID_TRANSITION == -4);
    CHECK(CRM_EPERMISSION == -5);
    CHECK(CRM_ESTORAGE == -6);
    CHECK(CRM_EPARSE == -7);
    CHECK(CRM_EUNSUPPORTED == -8);
    CHECK(CRM_EVERSION == -9);
    CHECK(CRM_EINTERNAL == -10);
    CHECK(CRM_ENOMEM == -11);
    CHECK(CRM_EMISUSE == -12);
    CHECK(strcmp(crm_status_name(CRM_OK), "ok") == 0);
    CHECK(strcmp(crm_status_name(CRM_EINVALID), "invalid_argument") == 0);
    CHECK(strcmp(crm_status_name(CRM_ENOTFOUND), "not_found") == 0);
    CHECK(strcmp(crm_status_name(CRM_EINTERNAL), "internal") == 0);
    CHECK(strcmp(crm_status_name(CRM_ENOMEM), "out_of_memory") == 0);
    CHECK(strcmp(crm_status_name(7), "unknown") == 0);
    CHECK(strcmp(crm_status_name(CRM_EMISUSE), "misuse") == 0);
    CHECK(strcmp(crm_status_name(-13), "unknown") == 0);
}

static void test_options_init_macro_and_function_agree(void) {
    crm_open_options by_macro = CRM_OPEN_OPTIONS_INIT;
    crm_open_options by_function;
    memset(&by_function, 0xA5, sizeof by_function);
    CHECK_STATUS(crm_open_options_init(&by_function, CRM_OPEN_OPTIONS_VERSION), CRM_OK, "");
    CHECK(by_macro.version == CRM_OPEN_OPTIONS_VERSION);
    CHECK(by_function.version == by_macro.version);
    CHECK(by_function.database == by_macro.database);
    CHECK(by_function.default_region == by_macro.default_region);
    CHECK(by_function.fixed_now_ms == by_macro.fixed_now_ms);
    CHECK(by_function.mode == by_macro.mode);
    CHECK(by_macro.mode == CRM_OPEN_CREATE);
    CHECK(by_function.busy_timeout_ms == by_macro.busy_timeout_ms);
    CHECK(by_macro.busy_timeout_ms == 5000);
    CHECK(by_function.file_directories == by_macro.file_directories);
    CHECK(by_function.file_directory_count == by_macro.file_directory_count);

    CHECK_STATUS(crm_open_options_init(NULL, CRM_OPEN_OPTIONS_VERSION), CRM_EINVALID, "opts");
    CHECK_STATUS(crm_open_options_init(&by_function, 0), CRM_EINVALID, "version");
    CHECK_STATUS(crm_open_options_init(&by_function, CRM_OPEN_OPTIONS_VERSION + 1), CRM_EVERSION,
                 "version");
}

/* ---- opening and closing -------------------------------------------------- */

static void test_open_and_close(void) {
    crm_engine *e = (crm_engine *)&g_passed; /* garbage the library must overwrite */
    crm_open_options opts = CRM_OPEN_OPTIONS_INIT;

    CHECK_STATUS(crm_engine_open(&e, NULL), CRM_OK, "");
    CHECK(e != NULL);
    crm_engine_close(&e);
    CHECK(e == NULL);
    crm_engine_close(&e); /* a pointer to NULL */
    crm_engine_close(NULL);

    CHECK_STATUS(crm_engine_open(NULL, NULL), CRM_EINVALID, "out");

    opts.version = CRM_OPEN_OPTIONS_VERSION + 7;
    e = (crm_engine *)&g_passed;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_EVERSION, "opts.version");
    CHECK(e == NULL);
    opts.version = 0;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_EINVALID, "opts.version");
    CHECK(e == NULL);

    opts.version = CRM_OPEN_OPTIONS_VERSION;
    opts.fixed_now_ms = -1;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_EINVALID, "opts.fixed_now_ms");
    CHECK(e == NULL);
    opts.fixed_now_ms = 0;
    opts.database = "";
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_EINVALID, "opts.database");
    CHECK(e == NULL);
    opts.database = NULL;
    opts.default_region = "XX";
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_EINVALID, "opts.default_region");
    CHECK(e == NULL);
    opts.default_region = NULL;
    opts.database = "sqlite:" CRM_TEST_TMPDIR "/no/such/dir/x.db";
    CHECK(crm_engine_open(&e, &opts) < 0);
    CHECK(e == NULL);

    opts.database = "memory:";
    opts.default_region = "IR";
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_OK, "");
    CHECK(e != NULL);
    crm_engine_close(&e);
}

static void test_free_and_errors_basics(void) {
    crm_free(NULL);
    crm_error_clear();
    CHECK(crm_error_last() != NULL);
    CHECK(crm_error_last()->status == CRM_OK);
    CHECK(strcmp(crm_error_last()->field, "") == 0);
    CHECK(crm_error_last()->message != NULL);
    /* A failure sets it, crm_error_clear() resets it, a success clears it. */
    CHECK_STATUS(crm_begin(NULL), CRM_EINVALID, "engine");
    crm_error_clear();
    CHECK(crm_error_last()->status == CRM_OK);
    CHECK_STATUS(crm_begin(NULL), CRM_EINVALID, "engine");
    {
        char *out = NULL;
        CHECK_STATUS(crm_commands(&out), CRM_OK, "");
        CHECK(crm_error_last()->status == CRM_OK);
        crm_free(out);
    }
}

/* ---- the customer scenario, on any backend -------------------------------- */

static void scenario(crm_engine *e) {
    char *out = NULL;
    char *party = NULL;
    char *id = NULL;
    char *again = NULL;

    /* create */
    party = must(e, "party.create",
                 "{\"external_id\":\"C-1\",\"first_name\":\" علی \",\"last_name\":\"رضایی\","
                 "\"city\":\"تهران\",\"tags\":[\"vip\"],"
                 "\"contacts\":[{\"kind\":\"phone\",\"value\":\"۰۹۱۲۱۲۳۴۵۶۷\"},"
                 "{\"kind\":\"email\",\"value\":\"Ali@Example.COM\"}],"
                 "\"context\":{\"actor\":\"user:7\",\"source\":\"erp\"}}");
    if (party == NULL) return;
    id = member(party, "id");
    CHECK(id != NULL && strlen(id) == 36);
    CHECK(member_is(party, "first_name", "علی"));
    CHECK(member_is(party, "external_id", "C-1"));
    CHECK(has(party, "+989121234567"));
    CHECK(has(party, "Ali@example.com"));
    CHECK(member_int(party, "version") == 1);

    /* a second create with the same external id conflicts */
    CHECK_STATUS(exec(e, "party.create", &out, "{\"external_id\":\"C-1\",\"last_name\":\"X\"}"),
                 CRM_ECONFLICT, "external_id");
    CHECK(out == NULL);

    /* upsert: created, then unchanged, then updated */
    out = must(e, "party.upsert", "{\"external_id\":\"C-2\",\"kind\":\"organization\","
                                  "\"organization_name\":\"شرکت نمونه\"}");
    CHECK(member_is(out, "outcome", "created"));
    crm_free(out);
    out = must(e, "party.upsert", "{\"external_id\":\"C-2\",\"kind\":\"organization\","
                                  "\"organization_name\":\"شرکت نمونه\",\"context\":null}");
    CHECK(member_is(out, "outcome", "unchanged"));
    crm_free(out);
    out = must(e, "party.upsert", "{\"external_id\":\"C-2\",\"city\":\"Shiraz\"}");
    CHECK(member_is(out, "outcome", "updated"));
    {
        char *city = member2(out, "party", "city");
        CHECK(city != NULL && strcmp(city, "Shiraz") == 0);
        free(city);
    }
    crm_free(out);

    /* get by id, external id and key */
    out = must(e, "party.get", "{\"id\":\"%s\"}", id);
    CHECK(member_is(out, "id", id));
    crm_free(out);
    out = must(e, "party.get", "{\"external_id\":\"C-1\"}");
    CHECK(member_is(out, "id", id));
    crm_free(out);
    out = must(e, "party.get", "{\"key\":\"%s\"}", id);
    CHECK(member_is(out, "id", id));
    crm_free(out);
    out = must(e, "party.get", "{\"key\":\"C-1\"}");
    CHECK(member_is(out, "id", id));
    crm_free(out);

    /* update */
    out = must(e, "party.update", "{\"id\":\"%s\",\"changes\":{\"city\":\"Isfahan\","
                                  "\"add_tags\":[\"b2c\"]}}", id);
    CHECK(member_is(out, "city", "Isfahan"));
    CHECK(member_int(out, "version") == 2);
    CHECK(has(out, "\"b2c\"") && has(out, "\"vip\""));
    crm_free(out);

    /* interactions: logged once per external id */
    out = must(e, "interaction.log", "{\"party\":\"%s\",\"channel\":\"call\",\"direction\":"
                                     "\"inbound\",\"subject\":\"Price question\","
                                     "\"external_id\":\"CALL-1\",\"duration_s\":120}", id);
    CHECK(member_is(out, "channel", "call"));
    again = must(e, "interaction.log", "{\"party\":\"%s\",\"channel\":\"call\","
                                       "\"subject\":\"Price question\",\"external_id\":\"CALL-1\"}", id);
    {
        char *a = member(out, "id");
        char *b = member(again, "id");
        CHECK(a != NULL && b != NULL && strcmp(a, b) == 0);
        free(a);
        free(b);
    }
    crm_free(out);
    crm_free(again);
    out = must(e, "timeline.get", "{\"party\":\"%s\",\"limit\":10}", id);
    CHECK(count_items(out, "items") == 1);
    CHECK(member_is(out, "next", ""));
    crm_free(out);

    /* purchases: created, unchanged, listed */
    out = must(e, "purchase.record", "{\"party\":\"%s\",\"order_id\":\"SO-1\",\"ordered_at\":"
                                     "\"2024-03-01\",\"total\":{\"minor\":125000000,\"currency\":"
                                     "\"IRR\"},\"lines\":[{\"sku\":\"A1\",\"quantity\":2,"
                                     "\"unit_price\":{\"minor\":62500000,\"currency\":\"IRR\"}}]}", id);
    CHECK(member_is(out, "outcome", "created"));
    crm_free(out);
    out = must(e, "purchase.record", "{\"party\":\"%s\",\"order_id\":\"SO-1\",\"ordered_at\":"
                                     "\"2024-03-01\",\"total\":{\"minor\":125000000,\"currency\":"
                                     "\"IRR\"},\"lines\":[{\"sku\":\"A1\",\"quantity\":2,"
                                     "\"unit_price\":{\"minor\":62500000,\"currency\":\"IRR\"}}]}", id);
    CHECK(member_is(out, "outcome", "unchanged"));
    crm_free(out);
    out = must(e, "purchase.list", "{\"party\":\"%s\"}", id);
    CHECK(count_items(out, "items") == 1);
    crm_free(out);

    /* search by phone spelling, e-mail, name and tag */
    out = must(e, "search", "{\"text\":\"+98 912 123 4567\"}");
    CHECK(count_items(out, "items") == 1);
    CHECK(has(out, "\"matched\":\"phone\""));
    crm_free(out);
    out = must(e, "search", "{\"text\":\"Ali@example.com\"}");
    CHECK(count_items(out, "items") == 1);
    CHECK(has(out, "\"matched\":\"email\""));
    crm_free(out);
    out = must(e, "search", "{\"text\":\"علي\"}");
    CHECK(count_items(out, "items") == 1);
    crm_free(out);
    out = must(e, "search", "{\"tag\":\"vip\",\"limit\":5}");
    CHECK(count_items(out, "items") == 1);
    crm_free(out);

    /* the 360 view */
    out = must(e, "customer.view", "{\"party\":\"%s\",\"recent_interactions\":5}", id);
    CHECK(count_items(out, "recent_interactions") == 1);
    CHECK(count_items(out, "purchases") == 1);
    {
        char *p = member(out, "party");
        CHECK(member_is(p, "id", id));
        free(p);
    }
    CHECK(has(out, "\"total_minor\":125000000"));
    crm_free(out);

    /* audit trail: create + update, actor from the context */
    out = must(e, "audit.trail", "{\"record\":\"%s\"}", id);
    CHECK(count_items(out, "items") == 2);
    CHECK(has(out, "\"actor\":\"user:7\""));
    crm_free(out);

    free(id);
    crm_free(party);
}

static void test_memory_scenario(void) {
    crm_engine *e = open_memory(0);
    if (e == NULL) return;
    scenario(e);
    crm_engine_close(&e);
}

static void test_sqlite_scenario_and_reopen(void) {
    char path[1024];
    char database[1100];
    crm_open_options opts = CRM_OPEN_OPTIONS_INIT;
    crm_engine *e = NULL;
    char *out = NULL;
    temp_db_path(path, sizeof path, "scenario");
    remove_db(path);
    snprintf(database, sizeof database, "sqlite:%s", path);
    opts.database = database;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_OK, "");
    if (e == NULL) return;
    scenario(e);
    crm_engine_close(&e);

    /* the data outlives the engine */
    opts.database = path; /* a bare path works too */
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_OK, "");
    if (e != NULL) {
        out = must(e, "party.get", "{\"external_id\":\"C-2\"}");
        CHECK(member_is(out, "city", "Shiraz"));
        crm_free(out);
        crm_engine_close(&e);
    }
    remove_db(path);
}

/* E-mail addresses compare without case (the domain is stored lower-case,
 * the local part as written), on every backend. */
static void email_search_ignores_case(crm_engine *e) {
    char *out = must(e, "party.create", "{\"last_name\":\"Case\",\"contacts\":[{\"kind\":"
                                        "\"email\",\"value\":\"Ali.Karimi@Example.COM\"}]}");
    crm_free(out);
    out = must(e, "search", "{\"text\":\"ali.karimi@example.com\"}");
    CHECK(count_items(out, "items") == 1);
    crm_free(out);
    out = must(e, "search", "{\"text\":\"ALI.KARIMI@EXAMPLE.COM\"}");
    CHECK(count_items(out, "items") == 1);
    crm_free(out);
}

static void test_email_search_ignores_case_memory(void) {
    crm_engine *e = open_memory(0);
    if (e == NULL) return;
    email_search_ignores_case(e);
    crm_engine_close(&e);
}

static void test_email_search_ignores_case_sqlite(void) {
    char path[1024];
    char database[1100];
    crm_open_options opts = CRM_OPEN_OPTIONS_INIT;
    crm_engine *e = NULL;
    temp_db_path(path, sizeof path, "email");
    remove_db(path);
    snprintf(database, sizeof database, "sqlite:%s", path);
    opts.database = database;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_OK, "");
    if (e == NULL) return;
    email_search_ignores_case(e);
    crm_engine_close(&e);
    remove_db(path);
}

/* ---- transactions ----------------------------------------------------------- */

static void test_transactions(void) {
    crm_engine *e = open_memory(0);
    char *out = NULL;
    if (e == NULL) return;

    CHECK_STATUS(crm_commit(e), CRM_ECONFLICT, "");
    CHECK_STATUS(crm_rollback(e), CRM_ECONFLICT, "");
    CHECK_STATUS(crm_begin(NULL), CRM_EINVALID, "engine");
    CHECK_STATUS(crm_commit(NULL), CRM_EINVALID, "engine");
    CHECK_STATUS(crm_rollback(NULL), CRM_EINVALID, "engine");

    CHECK_STATUS(crm_begin(e), CRM_OK, "");
    CHECK_STATUS(crm_begin(e), CRM_ECONFLICT, "");
    out = must(e, "party.create", "{\"external_id\":\"T-1\",\"last_name\":\"Rolled\"}");
    crm_free(out);
    CHECK_STATUS(crm_rollback(e), CRM_OK, "");
    CHECK_STATUS(exec(e, "party.get", &out, "{\"external_id\":\"T-1\"}"), CRM_ENOTFOUND,
                 "external_id");
    CHECK(out == NULL);

    CHECK_STATUS(crm_begin(e), CRM_OK, "");
    out = must(e, "party.create", "{\"external_id\":\"T-2\",\"last_name\":\"Kept\"}");
    crm_free(out);
    /* a failing command inside the transaction is undone alone */
    CHECK_STATUS(exec(e, "party.create", &out, "{\"external_id\":\"T-3\"}"), CRM_EINVALID,
                 "last_name");
    out = must(e, "party.create", "{\"external_id\":\"T-4\",\"last_name\":\"Also kept\"}");
    crm_free(out);
    CHECK_STATUS(crm_commit(e), CRM_OK, "");
    out = must(e, "party.get", "{\"external_id\":\"T-2\"}");
    crm_free(out);
    out = must(e, "party.get", "{\"external_id\":\"T-4\"}");
    crm_free(out);
    CHECK_STATUS(exec(e, "party.get", &out, "{\"external_id\":\"T-3\"}"), CRM_ENOTFOUND,
                 "external_id");

    /* closing with a transaction open rolls it back, without leaks */
    CHECK_STATUS(crm_begin(e), CRM_OK, "");
    out = must(e, "party.create", "{\"external_id\":\"T-5\",\"last_name\":\"Lost\"}");
    crm_free(out);
    crm_engine_close(&e);
    CHECK(e == NULL);
}

/* ---- events ------------------------------------------------------------------- */

static void test_events_and_ack(void) {
    crm_engine *e = open_memory(0);
    char *out = (char *)"garbage";
    long long cursor;
    int i;
    if (e == NULL) return;
    for (i = 0; i < 3; ++i) {
        char *p = must(e, "party.upsert", "{\"external_id\":\"E-%d\",\"last_name\":\"N%d\"}", i, i);
        crm_free(p);
    }
    CHECK_STATUS(crm_events_after(e, 0, 2, &out), CRM_OK, "");
    CHECK(count_items(out, "items") == 2);
    CHECK(has(out, "\"type\":\"party.created\""));
    cursor = member_int(out, "cursor");
    CHECK(cursor == 2);
    crm_free(out);

    CHECK_STATUS(crm_events_ack(e, "erp", cursor), CRM_OK, "");
    out = must(e, "events.cursor", "{\"consumer\":\"erp\"}");
    CHECK(member_int(out, "cursor") == 2);
    crm_free(out);

    CHECK_STATUS(crm_events_after(e, cursor, 100, &out), CRM_OK, "");
    CHECK(count_items(out, "items") == 1);
    CHECK(member_int(out, "cursor") == 3);
    crm_free(out);
    CHECK_STATUS(crm_events_after(e, 3, 100, &out), CRM_OK, "");
    CHECK(count_items(out, "items") == 0);
    CHECK(member_int(out, "cursor") == 3);
    crm_free(out);

    /* the same through crm_execute */
    out = must(e, "events.after", "{\"cursor\":1,\"limit\":1}");
    CHECK(count_items(out, "items") == 1);
    CHECK(member_int(out, "cursor") == 2);
    crm_free(out);
    out = must(e, "events.ack", "{\"consumer\":\"erp\",\"cursor\":3}");
    CHECK(member_int(out, "cursor") == 3);
    crm_free(out);

    /* bad input */
    CHECK_STATUS(crm_events_ack(e, "erp", 1), CRM_ECONFLICT, "cursor");
    CHECK_STATUS(crm_events_ack(e, "erp", 99), CRM_EINVALID, "cursor");
    CHECK_STATUS(crm_events_ack(e, "erp", -1), CRM_EINVALID, "cursor");
    CHECK_STATUS(crm_events_ack(e, "", 1), CRM_EINVALID, "consumer");
    CHECK_STATUS(crm_events_ack(e, "\xff\xfe", 1), CRM_EINVALID, "consumer");
    CHECK_STATUS(crm_events_ack(e, NULL, 1), CRM_EINVALID, "consumer");
    CHECK_STATUS(crm_events_ack(NULL, "erp", 1), CRM_EINVALID, "engine");
    out = (char *)"garbage";
    CHECK_STATUS(crm_events_after(e, -1, 10, &out), CRM_EINVALID, "cursor");
    CHECK(out == NULL);
    out = (char *)"garbage";
    CHECK_STATUS(crm_events_after(e, 0, 0, &out), CRM_EINVALID, "limit");
    CHECK(out == NULL);
    CHECK_STATUS(crm_events_after(e, 0, 10001, &out), CRM_EINVALID, "limit");
    CHECK_STATUS(crm_events_after(e, 0, 10, NULL), CRM_EINVALID, "out_json");
    out = (char *)"garbage";
    CHECK_STATUS(crm_events_after(NULL, 0, 10, &out), CRM_EINVALID, "engine");
    CHECK(out == NULL);
    crm_engine_close(&e);
}

/* ---- the manual clock and activities ------------------------------------------ */

static void test_clock_and_activities(void) {
    crm_engine *e = open_memory(T0);
    crm_engine *system_clock = NULL;
    char *out = NULL;
    char *party = NULL;
    char *pid = NULL;
    char *aid = NULL;
    if (e == NULL) return;
    party = must(e, "party.create", "{\"last_name\":\"Due\"}");
    pid = member(party, "id");
    CHECK(member_is(party, "created_at", "2024-03-20T10:00:00Z"));

    out = must(e, "activity.schedule", "{\"party\":\"%s\",\"kind\":\"call\",\"subject\":"
                                       "\"Call back\",\"due\":\"2024-03-20T11:00:00Z\","
                                       "\"assignee\":\"sara\"}", pid);
    aid = member(out, "id");
    CHECK(member_is(out, "status", "open"));
    crm_free(out);

    out = must(e, "activity.overdue", "{\"assignee\":\"sara\"}");
    CHECK(count_items(out, "items") == 0);
    crm_free(out);
    CHECK_STATUS(crm_set_now(e, T0 + 2 * HOUR), CRM_OK, "");
    out = must(e, "activity.overdue", "{\"assignee\":\"sara\"}");
    CHECK(count_items(out, "items") == 1);
    crm_free(out);
    out = must(e, "activity.due_by", "{\"assignee\":\"sara\",\"until\":\"2024-03-20T10:30:00Z\"}");
    CHECK(count_items(out, "items") == 0);
    crm_free(out);

    out = must(e, "activity.complete", "{\"id\":\"%s\"}", aid);
    CHECK(member_is(out, "status", "done"));
    CHECK(member_is(out, "closed_at", "2024-03-20T12:00:00Z"));
    crm_free(out);
    CHECK_STATUS(exec(e, "activity.cancel", &out, "{\"id\":\"%s\"}", aid),
                 CRM_EINVALID_TRANSITION, NULL);
    CHECK(out == NULL);
    CHECK_STATUS(exec(e, "activity.complete", &out,
                      "{\"id\":\"01900000-0000-7000-8000-000000000000\"}"),
                 CRM_ENOTFOUND, "id");
    CHECK_STATUS(exec(e, "activity.due_by", &out, "{\"assignee\":\"sara\"}"), CRM_EINVALID,
                 "until");

    CHECK_STATUS(crm_set_now(e, -5), CRM_EINVALID, "ms");
    CHECK_STATUS(crm_set_now(NULL, T0), CRM_EINVALID, "engine");
    CHECK_STATUS(crm_engine_open(&system_clock, NULL), CRM_OK, "");
    CHECK_STATUS(crm_set_now(system_clock, T0), CRM_EUNSUPPORTED, "");
    crm_engine_close(&system_clock);

    free(aid);
    free(pid);
    crm_free(party);
    crm_engine_close(&e);
}

/* ---- organisations, consent, fields, duplicates, merge ------------------------- */

static void test_organisations_fields_merge(void) {
    crm_engine *e = open_memory(T0);
    char *out = NULL;
    char *a = NULL, *b = NULL, *org = NULL;
    char *aid, *bid, *oid, *contact;
    if (e == NULL) return;

    out = must(e, "field.define", "{\"name\":\"tier\",\"label\":\"Tier\",\"type\":\"enum\","
                                  "\"allowed\":[\"gold\",\"silver\"]}");
    CHECK(member_is(out, "name", "tier"));
    crm_free(out);
    out = must(e, "field.list", "{}");
    CHECK(count_items(out, "items") == 1);
    crm_free(out);
    CHECK_STATUS(exec(e, "party.create", &out, "{\"last_name\":\"A\",\"custom\":{\"tier\":\"bronze\"}}"),
                 CRM_EINVALID, "custom.tier");

    a = must(e, "party.create", "{\"external_id\":\"M-1\",\"first_name\":\"Reza\",\"last_name\":"
                                "\"Ahmadi\",\"city\":\"Tehran\",\"custom\":{\"tier\":\"gold\"},"
                                "\"contacts\":[{\"kind\":\"phone\",\"value\":\"09121111111\"}]}");
    b = must(e, "party.create", "{\"external_id\":\"M-2\",\"first_name\":\"Reza\",\"last_name\":"
                                "\"Ahmadi\",\"city\":\"Tehran\","
                                "\"contacts\":[{\"kind\":\"phone\",\"value\":\"+989121111111\"}]}");
    org = must(e, "party.create", "{\"kind\":\"organization\",\"organization_name\":\"Acme\"}");
    aid = member(a, "id");
    bid = member(b, "id");
    oid = member(org, "id");
    {
        char *contacts = member(a, "contacts");
        /* the first contact's id: contacts is [{"consents":[],"id":"...",...}] */
        contact = contacts ? member(contacts + 1, "id") : NULL;
        free(contacts);
    }
    CHECK(contact != NULL);

    out = must(e, "party.set_consent", "{\"party\":\"%s\",\"contact\":\"%s\",\"consent\":"
                                       "{\"channel\":\"sms\",\"status\":\"opt_in\",\"source\":\"web\"}}",
               aid, contact);
    CHECK(has(out, "\"status\":\"opt_in\""));
    crm_free(out);
    CHECK_STATUS(exec(e, "party.set_consent", &out, "{\"party\":\"%s\",\"contact\":\"%s\","
                                                    "\"consent\":{\"channel\":\"sms\",\"status\":\"maybe\"}}",
                      aid, contact),
                 CRM_EINVALID, "consent.status");

    out = must(e, "party.link_organization", "{\"person\":\"%s\",\"organization\":\"%s\","
                                             "\"role\":\"CFO\"}", aid, oid);
    CHECK(member_is(out, "role", "CFO"));
    crm_free(out);
    CHECK_STATUS(exec(e, "party.link_organization", &out,
                      "{\"person\":\"01900000-0000-7000-8000-000000000000\",\"organization\":\"%s\"}",
                      oid),
                 CRM_ENOTFOUND, "person");
    CHECK_STATUS(exec(e, "party.link_organization", &out,
                      "{\"person\":\"%s\",\"organization\":\"01900000-0000-7000-8000-000000000000\"}",
                      aid),
                 CRM_ENOTFOUND, "organization");
    out = must(e, "party.unlink_organization", "{\"person\":\"%s\",\"organization\":\"%s\"}", aid, oid);
    crm_free(out);
    CHECK_STATUS(exec(e, "party.unlink_organization", &out,
                      "{\"person\":\"%s\",\"organization\":\"%s\"}", aid, oid),
                 CRM_ENOTFOUND, "organization");

    out = must(e, "duplicates.find", "{}");
    CHECK(count_items(out, "items") == 1);
    CHECK(has(out, "same phone"));
    crm_free(out);
    CHECK_STATUS(exec(e, "duplicates.find", &out, "{\"min_score\":2}"), CRM_EINVALID, "min_score");
    CHECK_STATUS(exec(e, "duplicates.find", &out, "{\"rules\":[{\"name\":\"x\",\"all_of\":"
                                                 "[{\"field\":\"shoe_size\"}]}]}"),
                 CRM_EINVALID, "rules[0].all_of[0].field");

    CHECK_STATUS(exec(e, "merge", &out, "{\"survivor\":\"01900000-0000-7000-8000-000000000000\","
                                        "\"merged\":[\"%s\"]}", bid),
                 CRM_ENOTFOUND, "survivor");
    CHECK_STATUS(exec(e, "merge", &out, "{\"survivor\":\"%s\",\"merged\":[\"%s\",\"nope\"]}", aid, bid),
                 CRM_EINVALID, "merged[1]");
    CHECK_STATUS(exec(e, "merge", &out, "{\"survivor\":\"%s\",\"merged\":[\"%s\"],"
                                        "\"rules\":{\"fields\":{\"shoe_size\":\"newest\"}}}", aid, bid),
                 CRM_EINVALID, "rules.fields.shoe_size");
    CHECK_STATUS(exec(e, "merge", &out, "{\"survivor\":\"%s\",\"merged\":[\"%s\"]}", aid, aid),
                 CRM_EINVALID, "merged[0]");
    out = must(e, "merge", "{\"survivor\":\"%s\",\"merged\":[\"%s\"],\"rules\":{\"default\":"
                           "\"survivor\"},\"context\":{\"actor\":\"dedupe\"}}", aid, bid);
    CHECK(member_is(out, "id", aid));
    crm_free(out);
    /* the merged id resolves to the survivor */
    out = must(e, "party.get", "{\"id\":\"%s\"}", bid);
    CHECK(member_is(out, "id", aid));
    crm_free(out);
    out = must(e, "customer.view", "{\"party\":\"%s\"}", aid);
    CHECK(count_items(out, "merged_ids") == 1);
    crm_free(out);

    free(aid);
    free(bid);
    free(oid);
    free(contact);
    crm_free(a);
    crm_free(b);
    crm_free(org);
    crm_engine_close(&e);
}

/* ---- bad input ------------------------------------------------------------------ */

static char *repeat(char c, size_t n) {
    char *s = malloc(n + 1);
    if (s == NULL) return NULL;
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_bad_input(void) {
    crm_engine *e = open_memory(0);
    char *out = (char *)"garbage";
    char *party = NULL;
    char *pid = NULL;
    if (e == NULL) return;
    party = must(e, "party.create", "{\"external_id\":\"B-1\",\"last_name\":\"Bad\"}");
    pid = member(party, "id");
    out = must(e, "interaction.log", "{\"party\":\"%s\",\"channel\":\"sms\"}", pid);
    crm_free(out);

    /* NULL arguments */
    CHECK_STATUS(crm_execute(NULL, "party.get", "{}", &out), CRM_EINVALID, "engine");
    CHECK(out == NULL);
    out = (char *)"garbage";
    CHECK_STATUS(crm_execute(e, NULL, "{}", &out), CRM_EINVALID, "method");
    CHECK(out == NULL);
    CHECK_STATUS(crm_execute(e, "party.get", "{\"external_id\":\"B-1\"}", NULL), CRM_EINVALID,
                 "out_response_json");
    CHECK_STATUS(crm_commands(NULL), CRM_EINVALID, "out_json");
    /* a NULL request is {} */
    CHECK_STATUS(crm_execute(e, "field.list", NULL, &out), CRM_OK, "");
    CHECK(out != NULL && count_items(out, "items") == 0);
    crm_free(out);
    CHECK_STATUS(crm_execute(e, "party.get", NULL, &out), CRM_EINVALID, "id");

    /* malformed JSON, invalid UTF-8, not an object */
    out = (char *)"garbage";
    CHECK_STATUS(crm_execute(e, "party.create", "{\"last_name\":", &out), CRM_EPARSE, "request");
    CHECK(out == NULL);
    CHECK_STATUS(crm_execute(e, "party.create", "", &out), CRM_EPARSE, "request");
    CHECK_STATUS(crm_execute(e, "party.create", "{\"last_name\":\"a\"} trailing", &out), CRM_EPARSE,
                 "request");
    CHECK_STATUS(crm_execute(e, "party.create", "{\"last_name\":\"\xC0\xAF\"}", &out), CRM_EPARSE,
                 "request");
    CHECK_STATUS(crm_execute(e, "party.create", "{\"last_name\":\"\xed\xa0\x80\"}", &out),
                 CRM_EPARSE, "request");
    CHECK_STATUS(crm_execute(e, "party.create", "[1,2]", &out), CRM_EINVALID, "request");
    CHECK_STATUS(crm_execute(e, "party.create", "null", &out), CRM_EINVALID, "request");
    /* an escaped lone surrogate is not valid text either */
    CHECK(crm_execute(e, "party.create", "{\"last_name\":\"\\ud800\"}", &out) < 0);
    CHECK(out == NULL);

    /* unknown method */
    CHECK_STATUS(crm_execute(e, "party.delete", "{}", &out), CRM_ENOTFOUND, "method");
    CHECK(strstr(crm_error_last()->message, "party.delete") != NULL);
    CHECK_STATUS(crm_execute(e, "", "{}", &out), CRM_ENOTFOUND, "method");
    CHECK_STATUS(crm_execute(e, "\xff\xfe", "{}", &out), CRM_ENOTFOUND, "method");

    /* unknown fields, at any depth */
    CHECK_STATUS(exec(e, "party.create", &out, "{\"last_name\":\"A\",\"nickname\":\"x\"}"),
                 CRM_EINVALID, "nickname");
    CHECK_STATUS(exec(e, "party.create", &out, "{\"last_name\":\"A\",\"contacts\":[{\"kind\":"
                                               "\"email\",\"value\":\"a@b.ir\",\"colour\":1}]}"),
                 CRM_EINVALID, "contacts[0].colour");
    CHECK_STATUS(exec(e, "party.update", &out, "{\"id\":\"%s\",\"changes\":{\"shoe\":1}}", pid),
                 CRM_EINVALID, "changes.shoe");
    CHECK_STATUS(exec(e, "search", &out, "{\"text\":\"a\",\"sort\":\"name\"}"), CRM_EINVALID, "sort");
    CHECK_STATUS(exec(e, "commands", &out, "{\"x\":1}"), CRM_EINVALID, "x");

    /* wrong types */
    CHECK_STATUS(exec(e, "party.create", &out, "{\"last_name\":5}"), CRM_EINVALID, "last_name");
    CHECK_STATUS(exec(e, "party.create", &out, "{\"last_name\":\"A\",\"tags\":\"vip\"}"),
                 CRM_EINVALID, "tags");
    CHECK_STATUS(exec(e, "party.create", &out, "{\"last_name\":\"A\",\"tags\":[1]}"), CRM_EINVALID,
                 "tags[0]");
    CHECK_STATUS(exec(e, "search", &out, "{\"text\":\"a\",\"limit\":\"ten\"}"), CRM_EINVALID,
                 "limit");
    CHECK_STATUS(exec(e, "search", &out, "{\"text\":\"a\",\"limit\":1.5}"), CRM_EINVALID, "limit");
    CHECK_STATUS(exec(e, "search", &out, "{\"text\":\"a\",\"limit\":99999999999999}"),
                 CRM_EINVALID, "limit");
    CHECK_STATUS(exec(e, "timeline.get", &out, "{\"party\":\"%s\",\"limit\":0}", pid), CRM_EINVALID,
                 "limit");
    CHECK_STATUS(exec(e, "timeline.get", &out, "{\"party\":\"%s\",\"before\":\"zzz\"}", pid),
                 CRM_EINVALID, "before");
    CHECK_STATUS(exec(e, "events.after", &out, "{\"cursor\":\"x\"}"), CRM_EINVALID, "cursor");
    CHECK_STATUS(exec(e, "party.update", &out, "{\"id\":\"%s\",\"changes\":[]}", pid), CRM_EINVALID,
                 "changes");
    CHECK_STATUS(exec(e, "party.update", &out, "{\"id\":\"%s\"}", pid), CRM_EINVALID, "changes");
    CHECK_STATUS(exec(e, "purchase.record", &out, "{\"party\":\"%s\",\"order_id\":\"O\","
                                                  "\"ordered_at\":\"2024-01-01\",\"total\":"
                                                  "{\"minor\":\"100\",\"currency\":\"IRR\"}}", pid),
                 CRM_EINVALID, "total.minor");
    CHECK_STATUS(exec(e, "purchase.record", &out, "{\"party\":\"%s\",\"order_id\":\"O\","
                                                  "\"ordered_at\":\"2024-01-01\",\"total\":"
                                                  "{\"minor\":100,\"currency\":\"XYZ\"}}", pid),
                 CRM_EINVALID, NULL);
    CHECK_STATUS(exec(e, "purchase.record", &out, "{\"party\":\"%s\",\"order_id\":\"O\","
                                                  "\"ordered_at\":\"yesterday\",\"total\":"
                                                  "{\"minor\":100,\"currency\":\"IRR\"}}", pid),
                 CRM_EPARSE, "ordered_at");

    /* the context is checked too */
    CHECK_STATUS(exec(e, "party.create", &out, "{\"last_name\":\"A\",\"context\":{\"actor\":5}}"),
                 CRM_EINVALID, "context.actor");
    CHECK_STATUS(exec(e, "party.create", &out, "{\"last_name\":\"A\",\"context\":{\"who\":\"x\"}}"),
                 CRM_EINVALID, "context.who");
    CHECK_STATUS(exec(e, "party.create", &out, "{\"last_name\":\"A\",\"context\":\"me\"}"),
                 CRM_EINVALID, "context");
    CHECK_STATUS(exec(e, "party.create", &out, "{\"last_name\":\"A\",\"context\":{\"actor\":\"\"}}"),
                 CRM_EINVALID, "context.actor");

    /* unknown and malformed ids */
    CHECK_STATUS(exec(e, "party.get", &out, "{\"id\":\"01900000-0000-7000-8000-000000000000\"}"),
                 CRM_ENOTFOUND, "id");
    CHECK_STATUS(exec(e, "party.get", &out, "{\"id\":\"not-an-id\"}"), CRM_EINVALID, "id");
    CHECK_STATUS(exec(e, "party.get", &out, "{\"external_id\":\"nobody\"}"), CRM_ENOTFOUND,
                 "external_id");
    CHECK_STATUS(exec(e, "party.get", &out, "{\"key\":\"nobody\"}"), CRM_ENOTFOUND, "key");
    CHECK_STATUS(exec(e, "party.get", &out, "{}"), CRM_EINVALID, "id");
    CHECK_STATUS(exec(e, "party.get", &out, "{\"id\":\"%s\",\"key\":\"B-1\"}", pid), CRM_EINVALID,
                 "key");
    CHECK_STATUS(exec(e, "party.update", &out,
                      "{\"id\":\"01900000-0000-7000-8000-000000000000\",\"changes\":{}}"),
                 CRM_ENOTFOUND, "id");
    CHECK_STATUS(exec(e, "customer.view", &out, "{\"party\":\"01900000-0000-7000-8000-000000000000\"}"),
                 CRM_ENOTFOUND, "party");
    CHECK_STATUS(exec(e, "interaction.log", &out,
                      "{\"party\":\"01900000-0000-7000-8000-000000000000\",\"channel\":\"sms\"}"),
                 CRM_ENOTFOUND, "party");
    CHECK_STATUS(exec(e, "purchase.list", &out, "{}"), CRM_EINVALID, "party");

    /* an invalid phone, an invalid e-mail, a bad national id, bad values in changes */
    CHECK_STATUS(exec(e, "party.create", &out, "{\"last_name\":\"A\",\"contacts\":[{\"kind\":"
                                               "\"phone\",\"value\":\"12345\"}]}"),
                 CRM_EINVALID, "contacts[0].value");
    CHECK_STATUS(exec(e, "party.create", &out, "{\"last_name\":\"A\",\"contacts\":[{\"kind\":"
                                               "\"email\",\"value\":\"a@b.ir\"},{\"kind\":\"email\","
                                               "\"value\":\"ali@\"}]}"),
                 CRM_EINVALID, "contacts[1].value");
    CHECK_STATUS(exec(e, "party.create", &out, "{\"last_name\":\"A\",\"national_id\":\"0499370898\"}"),
                 CRM_EINVALID, "national_id");
    CHECK_STATUS(exec(e, "party.update", &out, "{\"id\":\"%s\",\"changes\":{\"contacts\":[{\"kind\":"
                                               "\"phone\",\"value\":\"0000\"}]}}", pid),
                 CRM_EINVALID, "changes.contacts[0].value");
    CHECK_STATUS(exec(e, "party.update", &out, "{\"id\":\"%s\",\"changes\":{\"lifecycle_stage\":"
                                               "\"golden\"}}", pid),
                 CRM_EINVALID, "changes.lifecycle_stage");
    CHECK_STATUS(exec(e, "party.upsert", &out, "{\"last_name\":\"No key\"}"), CRM_EINVALID,
                 "external_id");

    /* huge strings: a 1 MB name, a 1 MB method, a 1 MB request of spaces */
    {
        const size_t mb = 1024 * 1024;
        char *big = repeat('x', mb);
        char *request = malloc(mb + 64);
        if (big != NULL && request != NULL) {
            snprintf(request, mb + 64, "{\"last_name\":\"%s\"}", big);
            out = (char *)"garbage";
            CHECK_STATUS(crm_execute(e, "party.create", request, &out), CRM_EINVALID, "last_name");
            CHECK(out == NULL);
            CHECK(strlen(crm_error_last()->message) < 200);
            CHECK_STATUS(crm_execute(e, big, "{}", &out), CRM_ENOTFOUND, "method");
            CHECK(strlen(crm_error_last()->message) < 200);
            snprintf(request, mb + 64, "{\"text\":\"%s\"}", big);
            CHECK_STATUS(crm_execute(e, "search", request, &out), CRM_EINVALID, "text");
            memset(request, ' ', mb);
            memcpy(request + mb, "{}", 3);
            CHECK_STATUS(crm_execute(e, "field.list", request, &out), CRM_OK, "");
            crm_free(out);
        } else {
            CHECK(!"out of memory in the test");
        }
        free(big);
        free(request);
    }

    /* deep nesting does not overflow the stack: refused while parsing */
    {
        const size_t depth = 100000;
        char *deep = malloc(2 * depth + 64);
        if (deep != NULL) {
            size_t n = 0;
            n += (size_t)sprintf(deep, "{\"last_name\":\"A\",\"custom\":{\"x\":");
            memset(deep + n, '[', depth);
            n += depth;
            memset(deep + n, ']', depth);
            n += depth;
            memcpy(deep + n, "}}", 3);
            CHECK_STATUS(crm_execute(e, "party.create", deep, &out), CRM_EINVALID, "request");
            free(deep);
        }
    }

    /* nothing above wrote anything: the two events are the party's and the sms's */
    CHECK_STATUS(crm_events_after(e, 0, 100, &out), CRM_OK, "");
    CHECK(count_items(out, "items") == 2);
    crm_free(out);

    free(pid);
    crm_free(party);
    crm_engine_close(&e);
}

/* ---- sales: a pipeline, an opportunity, its moves ------------------------------- */

static void test_sales(void) {
    crm_engine *e = open_memory(T0);
    char *out = NULL;
    char *party = NULL;
    char *pid = NULL;
    char *opp = NULL;
    char *oid = NULL;
    if (e == NULL) return;
    party = must(e, "party.create", "{\"kind\":\"organization\",\"organization_name\":\"Pars Co\"}");
    pid = member(party, "id");
    opp = must(e, "opportunity.create",
               "{\"party\":\"%s\",\"name\":\"ERP\",\"owner\":\"sara\","
               "\"expected_close\":\"1403-01-15\"}",
               pid);
    oid = member(opp, "id");
    CHECK(member_is(opp, "stage", "qualify"));
    CHECK(member_is(opp, "expected_close", "2024-04-03"));

    /* An illegal move, a missing required field, a missing close record. */
    CHECK_STATUS(exec(e, "opportunity.move", &out, "{\"id\":\"%s\",\"move\":\"win\"}", oid),
                 CRM_EINVALID_TRANSITION, "move");
    CHECK(out == NULL);
    CHECK(strstr(crm_error_last()->message, "allowed moves: develop -> develop") != NULL);
    CHECK_STATUS(exec(e, "opportunity.move", &out, "{\"id\":\"%s\",\"move\":\"propose\"}",
                      oid),
                 CRM_EINVALID, "amount");
    CHECK_STATUS(exec(e, "opportunity.move", &out,
                      "{\"id\":\"%s\",\"move\":\"propose\",\"changes\":{\"amount\":"
                      "{\"minor\":-1,\"currency\":\"IRR\"}}}",
                      oid),
                 CRM_EINVALID, "changes.amount");
    out = must(e, "opportunity.move",
               "{\"id\":\"%s\",\"move\":\"propose\",\"changes\":{\"amount\":"
               "{\"minor\":900000,\"currency\":\"IRR\"}}}",
               oid);
    CHECK(member_is(out, "stage", "propose"));
    crm_free(out);
    CHECK_STATUS(exec(e, "opportunity.win", &out, "{\"id\":\"%s\"}", oid), CRM_EINVALID,
                 "close.reason");
    out = must(e, "opportunity.win", "{\"id\":\"%s\",\"close\":{\"reason\":\"price\"}}",
               oid);
    CHECK(member_is(out, "status", "won"));
    crm_free(out);
    out = must(e, "history.get", "{\"record_type\":\"opportunity\",\"id\":\"%s\"}", oid);
    CHECK(count_items(out, "items") == 3);
    crm_free(out);
    out = must(e, "pipeline.show", "{}");
    CHECK(has(out, "\"weighted_minor\":900000"));
    crm_free(out);
    out = must(e, "process.get", "{\"id\":\"sales\",\"format\":\"mermaid\"}");
    CHECK(has(out, "stateDiagram-v2"));
    crm_free(out);
    CHECK_STATUS(exec(e, "process.define", &out, "{\"definition\":{\"id\":\"x\"}}"),
                 CRM_EINVALID, "definition.record_type");
    CHECK_STATUS(exec(e, "process.get", &out, "{\"id\":\"sales\",\"format\":\"png\"}"),
                 CRM_EINVALID, "format");

    free(oid);
    crm_free(opp);
    free(pid);
    crm_free(party);
    crm_engine_close(&e);
}

static void test_quotes(void) {
    crm_engine *e = open_memory(T0);
    char *out = NULL;
    char *party = NULL;
    char *pid = NULL;
    char *quote = NULL;
    char *qid = NULL;
    if (e == NULL) return;
    party = must(e, "party.create", "{\"kind\":\"organization\",\"organization_name\":\"Pars Co\"}");
    pid = member(party, "id");
    out = must(e, "product.define",
               "{\"sku\":\"ERP-1\",\"name\":\"ERP licence\",\"prices\":[{\"unit_price\":"
               "{\"minor\":1000000,\"currency\":\"IRR\"}}]}");
    CHECK(has(out, "\"outcome\":\"created\""));
    crm_free(out);
    CHECK_STATUS(exec(e, "product.define", &out, "{\"sku\":\"A B\",\"name\":\"x\"}"),
                 CRM_EINVALID, "sku");

    /* A line in another currency, a negative quantity: nothing written. */
    CHECK_STATUS(exec(e, "quote.create", &out,
                      "{\"party\":\"%s\",\"lines\":[{\"sku\":\"ERP-1\",\"unit_price\":"
                      "{\"minor\":5,\"currency\":\"USD\"}}]}",
                      pid),
                 CRM_EINVALID, "lines[0].unit_price");
    CHECK_STATUS(exec(e, "quote.create", &out,
                      "{\"party\":\"%s\",\"lines\":[{\"sku\":\"ERP-1\",\"quantity\":-2}]}",
                      pid),
                 CRM_EINVALID, "lines[0].quantity");
    out = must(e, "quote.list", "{\"party\":\"%s\"}", pid);
    CHECK(count_items(out, "items") == 0);
    crm_free(out);
    quote = must(e, "quote.create",
                 "{\"party\":\"%s\",\"number\":\"PF-1\",\"lines\":[{\"sku\":\"ERP-1\","
                 "\"quantity\":2.5,\"discount_percent\":\"10\"}]}",
                 pid);
    qid = member(quote, "id");
    /* 2.5 x 1,000,000 = 2,500,000; less 10% = 2,250,000; VAT 10% = 225,000. */
    CHECK(has(quote, "\"total_minor\":2475000"));
    CHECK_STATUS(exec(e, "quote.move", &out, "{\"id\":\"%s\",\"move\":\"win\"}", qid),
                 CRM_EINVALID_TRANSITION, "move");
    crm_free(must(e, "quote.move", "{\"id\":\"%s\",\"move\":\"activate\"}", qid));
    out = must(e, "quote.move", "{\"id\":\"%s\",\"move\":\"win\"}", qid);
    CHECK(member_is(out, "status", "won"));
    crm_free(out);
    out = must(e, "quote.order", "{\"id\":\"%s\",\"erp_order_id\":\"SO-9\"}", qid);
    CHECK(member_is(out, "erp_order_id", "SO-9"));
    crm_free(out);
    out = must(e, "quote.get", "{\"id\":\"PF-1\"}");
    CHECK(member_is(out, "state", "won"));
    /* The total as a pre-invoice prints it: 24,750 rials, in tomans when asked. */
    CHECK(has(out, "\"digits\":\"۲۴٬۷۵۰ ریال\""));
    CHECK(has(out, "\"words\":\"بیست و چهار هزار و هفتصد و پنجاه ریال\""));
    crm_free(out);
    out = must(e, "quote.get", "{\"id\":\"PF-1\",\"unit\":\"toman\"}");
    CHECK(has(out, "\"words\":\"دو هزار و چهارصد و هفتاد و پنج تومان\""));
    CHECK(has(out, "\"total_minor\":2475000"));
    crm_free(out);
    CHECK_STATUS(exec(e, "quote.get", &out, "{\"id\":\"PF-1\",\"unit\":\"dollar\"}"), CRM_EINVALID,
                 "unit");
    out = must(e, "money.text", "{\"amount\":{\"minor\":440606250000,\"currency\":\"IRR\"}}");
    CHECK(has(out, "\"words\":\"چهار میلیارد و چهارصد و شش میلیون و شصت و دو هزار و پانصد ریال\""));
    CHECK(has(out, "\"digits\":\"۴٬۴۰۶٬۰۶۲٬۵۰۰ ریال\""));
    crm_free(out);
    CHECK_STATUS(exec(e, "money.text", &out,
                      "{\"amount\":{\"minor\":1000000000000001,\"currency\":\"IRR\"}}"),
                 CRM_EINVALID, "amount");
    CHECK_STATUS(exec(e, "money.text", &out, "{\"amount\":{\"minor\":5,\"currency\":\"USD\"},"
                                             "\"unit\":\"toman\"}"),
                 CRM_EINVALID, "unit");
    CHECK_STATUS(exec(e, "money.text", &out, "{}"), CRM_EINVALID, "amount");
    out = must(e, "identifier.check", "{\"kind\":\"sheba\",\"value\":\"ir82 0540 1026 8002 0817 9090 02\"}");
    CHECK(member_is(out, "value", "IR820540102680020817909002"));
    CHECK(has(out, "\"name_en\":\"Parsian Bank\""));
    crm_free(out);
    CHECK_STATUS(exec(e, "identifier.check", &out, "{\"kind\":\"bank_card\",\"value\":\"6037991234567890\"}"),
                 CRM_EINVALID, "value");
    CHECK_STATUS(exec(e, "identifier.check", &out, "{\"kind\":\"iban\",\"value\":\"1\"}"), CRM_EINVALID,
                 "kind");
    out = must(e, "sms.render", "{\"template\":\"سلام {first_name}\",\"fields\":{\"first_name\":\"مریم\"}}");
    CHECK(member_is(out, "text", "سلام مریم"));
    CHECK(member_is(out, "encoding", "ucs2"));
    CHECK(has(out, "\"parts\":1"));
    crm_free(out);
    CHECK_STATUS(exec(e, "sms.render", &out, "{\"template\":\"{city}\",\"fields\":{}}"), CRM_EINVALID,
                 "template");
    CHECK_STATUS(exec(e, "sms.render", &out, "{\"template\":\"x\",\"fields\":{\"a\":1}}"), CRM_EINVALID,
                 "fields.a");
    out = must(e, "sms.parts", "{\"text\":\"Price: 5 €\"}");
    CHECK(member_is(out, "encoding", "gsm7"));
    CHECK(has(out, "\"units\":11"));
    crm_free(out);
    CHECK_STATUS(crm_events_after(e, 0, 100, &out), CRM_OK, "");
    CHECK(has(out, "\"type\":\"quote.won\""));
    crm_free(out);

    free(qid);
    crm_free(quote);
    free(pid);
    crm_free(party);
    crm_engine_close(&e);
}

/* T0 is 1 Farvardin 1403 (Nowruz): the first business hours are Sunday
 * 2024-03-24 from 08:00 Tehran (04:30Z). */
static void test_service(void) {
    crm_engine *e = open_memory(T0);
    char *out = NULL;
    char *party = NULL;
    char *pid = NULL;
    char *ticket = NULL;
    char *tid = NULL;
    if (e == NULL) return;
    party = must(e, "party.create", "{\"first_name\":\"Sara\",\"last_name\":\"Ahmadi\"}");
    pid = member(party, "id");
    crm_free(must(e, "queue.define", "{\"id\":\"tier1\",\"members\":[{\"user\":\"reza\"}]}"));
    out = must(e, "sla.define",
               "{\"policy\":{\"id\":\"standard\",\"kpis\":{\"first_response\":{\"failure\":"
               "{\"business_hours\":2}},\"resolution\":{\"failure\":{\"business_hours\":8}}}}}");
    CHECK(has(out, "\"outcome\":\"created\""));
    crm_free(out);
    CHECK_STATUS(exec(e, "sla.define", &out,
                      "{\"policy\":{\"id\":\"p\",\"kpis\":{\"resolution\":{\"failure\":"
                      "{\"days\":1}}}}}"),
                 CRM_EINVALID, "policy.kpis.resolution.failure.days");

    /* Unknown queue, a non-member assignee, a bad priority: nothing written. */
    CHECK_STATUS(exec(e, "ticket.create", &out,
                      "{\"subject\":\"No internet\",\"party\":\"%s\",\"queue\":\"nowhere\"}", pid),
                 CRM_ENOTFOUND, "queue");
    CHECK_STATUS(exec(e, "ticket.create", &out,
                      "{\"subject\":\"No internet\",\"party\":\"%s\",\"queue\":\"tier1\","
                      "\"assignee\":\"mina\"}",
                      pid),
                 CRM_EINVALID, "assignee");
    CHECK_STATUS(exec(e, "ticket.create", &out,
                      "{\"subject\":\"x\",\"party\":\"%s\",\"priority\":\"asap\"}", pid),
                 CRM_EINVALID, "priority");
    out = must(e, "ticket.list", "{\"party\":\"%s\"}", pid);
    CHECK(count_items(out, "items") == 0);
    crm_free(out);

    ticket = must(e, "ticket.create",
                  "{\"subject\":\"No internet\",\"party\":\"%s\",\"queue\":\"tier1\","
                  "\"external_id\":\"T-1\",\"priority\":\"high\"}",
                  pid);
    tid = member(ticket, "id");
    CHECK(member_is(ticket, "state", "new"));
    CHECK(has(ticket, "\"failure_at\":\"2024-03-24T06:30:00Z\""));
    out = must(e, "ticket.explain_sla", "{\"id\":\"%s\",\"kpi\":\"first_response\"}", tid);
    CHECK(has(out, "holiday: Nowruz"));
    crm_free(out);
    CHECK_STATUS(exec(e, "ticket.move", &out, "{\"id\":\"%s\",\"move\":\"close\"}", tid),
                 CRM_EINVALID_TRANSITION, "move");
    CHECK_STATUS(exec(e, "ticket.comment", &out,
                      "{\"id\":\"%s\",\"attachments\":[{\"name\":\"a.png\",\"size\":1,"
                      "\"sha256\":\"xyz\"}]}",
                      tid),
                 CRM_EINVALID, "attachments[0].sha256");
    crm_free(must(e, "ticket.assign", "{\"id\":\"%s\",\"assignee\":\"reza\"}", tid));

    /* Six days later nobody has answered: one tick breaches both clocks, once. */
    CHECK_STATUS(crm_set_now(e, T0 + INT64_C(6) * 86400000), CRM_OK, "");
    out = must(e, "tick", "{}");
    CHECK(has(out, "\"breaches\":2"));
    crm_free(out);
    out = must(e, "tick", "{}");
    CHECK(has(out, "\"examined\":0"));
    crm_free(out);
    /* The queue's worklist: the breached ticket is overdue, counted, and the
       only page; filters a ticket has not are refused by name. */
    out = must(e, "ticket.list",
               "{\"queue\":\"tier1\",\"status\":\"open\",\"overdue\":true,"
               "\"sla_status\":[\"breached\"],\"order\":\"due\",\"limit\":1}");
    CHECK(count_items(out, "items") == 1);
    CHECK(has(out, "\"total\":1"));
    CHECK(has(out, "\"next\":null"));
    crm_free(out);
    CHECK_STATUS(exec(e, "ticket.list", &out, "{\"team\":\"north\"}"), CRM_EINVALID, "team");
    CHECK_STATUS(exec(e, "ticket.list", &out, "{\"order\":\"soonest\"}"), CRM_EINVALID, "order");
    CHECK_STATUS(exec(e, "ticket.list", &out, "{\"where\":\"custom.none = 1\"}"), CRM_EINVALID,
                 "where@0");
    out = must(e, "ticket.comment", "{\"id\":\"%s\",\"body\":\"Sorry, on it\"}", tid);
    CHECK(member_is(out, "author_kind", "agent"));
    crm_free(out);
    out = must(e, "ticket.move", "{\"id\":\"%s\",\"move\":\"resolve\",\"reason\":\"fixed\"}", tid);
    CHECK(member_is(out, "status", "closed"));
    crm_free(out);
    out = must(e, "ticket.get", "{\"id\":\"T-1\"}");
    CHECK(member_is(out, "state", "resolved"));
    crm_free(out);
    CHECK_STATUS(crm_events_after(e, 0, 100, &out), CRM_OK, "");
    CHECK(has(out, "\"type\":\"sla.breached\""));
    CHECK(has(out, "\"type\":\"ticket.resolved\""));
    crm_free(out);
    CHECK_STATUS(exec(e, "ticket.csat", &out, "{\"id\":\"%s\",\"score\":7}", tid), CRM_EINVALID,
                 "score");
    CHECK_STATUS(exec(e, "ticket.csat", &out, "{\"id\":\"%s\",\"score\":99999999999}", tid),
                 CRM_EINVALID, "score");
    out = must(e, "ticket.csat", "{\"id\":\"%s\",\"score\":4,\"comment\":\"ok\"}", tid);
    CHECK(has(out, "\"csat\":4"));
    crm_free(out);
    crm_free(must(e, "nps.record", "{\"party\":\"%s\",\"score\":9}", pid));
    out = must(e, "portal.view", "{\"party\":\"%s\"}", pid);
    CHECK(count_items(out, "items") == 1);
    CHECK(has(out, "\"state_label\":\"Resolved\""));
    crm_free(out);
    out = must(e, "customer.view", "{\"party\":\"%s\"}", pid);
    CHECK(has(out, "\"last_nps\":{"));
    crm_free(out);

    free(tid);
    crm_free(ticket);
    free(pid);
    crm_free(party);
    crm_engine_close(&e);
}

/* Segments: a dynamic segment over purchase aggregates, counted, explained
 * and tracked on the 360 view; a suppression list in a set; bad input
 * refused with the field named and nothing written. */
static void test_segments(void) {
    crm_engine *e = open_memory(T0);
    char *out = NULL;
    char *a = NULL, *b = NULL;
    char *aid = NULL, *bid = NULL;
    if (e == NULL) return;
    a = must(e, "party.create",
             "{\"first_name\":\"Ali\",\"last_name\":\"Rezaei\",\"city\":\"تهران\","
             "\"contacts\":[{\"kind\":\"email\",\"value\":\"ali@shop.ir\"}]}");
    b = must(e, "party.create", "{\"first_name\":\"Sara\",\"last_name\":\"Ahmadi\",\"city\":\"تهران\"}");
    aid = member(a, "id");
    bid = member(b, "id");
    crm_free(must(e, "purchase.record",
                  "{\"party\":\"%s\",\"order_id\":\"O1\",\"ordered_at\":\"2024-03-01T10:00:00Z\","
                  "\"total\":{\"minor\":2000000000,\"currency\":\"IRR\"}}",
                  aid));
    out = must(e, "segment.define",
               "{\"segment\":{\"id\":\"big\",\"rule\":\"purchases.sum >= 10000000 IRR and "
               "city = \\\"تهران\\\"\"}}");
    CHECK(has(out, "\"outcome\":\"created\""));
    crm_free(out);
    out = must(e, "segment.count", "{\"id\":\"big\"}");
    CHECK(has(out, "\"count\":1"));
    crm_free(out);
    out = must(e, "segment.explain", "{\"id\":\"big\",\"party\":\"%s\"}", bid);
    CHECK(has(out, "\"member\":false"));
    crm_free(out);
    out = must(e, "customer.view", "{\"party\":\"%s\"}", aid);
    CHECK(has(out, "\"segment\":\"big\""));
    crm_free(out);

    crm_free(must(e, "segment.define", "{\"segment\":{\"id\":\"dnc\",\"kind\":\"suppression\"}}"));
    crm_free(must(e, "suppression.add", "{\"list\":\"dnc\",\"kind\":\"domain\",\"value\":\"SHOP.ir\"}"));
    crm_free(must(e, "segment.define",
                  "{\"segment\":{\"id\":\"ok\",\"kind\":\"set\",\"op\":\"difference\","
                  "\"of\":[\"big\",\"dnc\"]}}"));
    out = must(e, "segment.members", "{\"id\":\"ok\"}");
    CHECK(count_items(out, "items") == 0);
    crm_free(out);

    CHECK_STATUS(exec(e, "segment.define", &out,
                      "{\"segment\":{\"id\":\"x\",\"rule\":{\"eq\":[{\"field\":\"shoe\"},1]}}}"),
                 CRM_EINVALID, "segment.rule.eq[0]");
    CHECK_STATUS(exec(e, "segment.count", &out, "{\"id\":\"nope\"}"), CRM_ENOTFOUND, "id");
    CHECK_STATUS(exec(e, "list.add", &out, "{\"list\":\"big\",\"parties\":[\"%s\"]}", aid),
                 CRM_EINVALID, "list");
    CHECK_STATUS(exec(e, "suppression.add", &out,
                      "{\"list\":\"dnc\",\"kind\":\"fax\",\"value\":\"1\"}"),
                 CRM_EINVALID, "kind");
    out = must(e, "segment.list", "{}");
    CHECK(count_items(out, "items") == 3);
    crm_free(out);

    free(aid);
    free(bid);
    crm_free(a);
    crm_free(b);
    crm_engine_close(&e);
}

/* A campaign: launched over a segment, planned, one batch handed over
 * twice without sending twice, a plan refused once cancelled. */
static void test_campaigns(void) {
    crm_engine *e = open_memory(T0);
    char *out = NULL;
    char *party = NULL, *pid = NULL, *campaign = NULL, *cid = NULL;
    if (e == NULL) return;
    party = must(e, "party.create",
                 "{\"first_name\":\"Ali\",\"last_name\":\"Rezaei\",\"city\":\"تهران\","
                 "\"contacts\":[{\"kind\":\"phone\",\"value\":\"09121234567\",\"consents\":"
                 "[{\"channel\":\"sms\",\"status\":\"opt_in\",\"at\":\"2024-03-01T00:00:00Z\"}]}]}");
    pid = member(party, "id");
    crm_free(must(e, "segment.define", "{\"segment\":{\"id\":\"all\",\"rule\":true}}"));
    campaign = must(e, "campaign.create",
                    "{\"name\":\"Nowruz\",\"channels\":[\"sms\"],\"segments\":[\"all\"]}");
    cid = member(campaign, "id");
    CHECK(member_is(campaign, "state", "proposed"));
    crm_free(must(e, "campaign.move", "{\"id\":\"%s\",\"move\":\"ready\"}", cid));
    out = must(e, "campaign.move", "{\"id\":\"%s\",\"move\":\"launch\"}", cid);
    CHECK(has(out, "\"members\":1"));
    crm_free(out);
    out = must(e, "campaign.plan", "{\"campaign\":\"%s\",\"default_rate\":10}", cid);
    CHECK(has(out, "\"number\":1"));
    crm_free(out);
    out = must(e, "campaign.dispatch", "{\"campaign\":\"%s\",\"plan\":1,\"batch\":1}", cid);
    CHECK(count_items(out, "items") == 1);
    CHECK(has(out, "\"address\":\"+989121234567\""));
    crm_free(out);
    out = must(e, "campaign.status",
               "{\"campaign\":\"%s\",\"party\":\"%s\",\"status\":\"responded\"}", cid, pid);
    CHECK(has(out, "\"responded\":"));
    crm_free(out);
    out = must(e, "campaign.report", "{\"id\":\"%s\"}", cid);
    CHECK(has(out, "\"response_rate\":1.0"));
    crm_free(out);
    crm_free(must(e, "campaign.move", "{\"id\":\"%s\",\"move\":\"cancel\",\"reason\":\"x\"}", cid));
    CHECK_STATUS(exec(e, "campaign.plan", &out, "{\"campaign\":\"%s\"}", cid), CRM_EINVALID_TRANSITION,
                 "campaign");
    CHECK_STATUS(exec(e, "campaign.create", &out, "{\"name\":\"x\",\"channels\":[\"fax\"]}"),
                 CRM_EINVALID, "channels[0]");
    free(cid);
    crm_free(campaign);
    free(pid);
    crm_free(party);
    crm_engine_close(&e);
}

/* The customer club: points earned on a purchase, redeemed once per key,
 * never beyond the balance. */
static void test_loyalty(void) {
    crm_engine *e = open_memory(T0);
    char *out = NULL;
    char *party = NULL;
    char *pid = NULL;
    if (e == NULL) return;
    party = must(e, "party.create", "{\"first_name\":\"Mina\",\"last_name\":\"Karimi\"}");
    pid = member(party, "id");
    out = must(e, "loyalty.define",
               "{\"program\":{\"id\":\"club\",\"enrolment\":\"auto\",\"earn\":[{\"id\":\"base\","
               "\"per\":\"100000\",\"points\":1}]}}");
    CHECK(has(out, "\"outcome\":\"created\""));
    crm_free(out);
    crm_free(must(e, "purchase.record",
                  "{\"party\":\"%s\",\"order_id\":\"O1\",\"ordered_at\":\"2024-03-01T10:00:00Z\","
                  "\"total\":{\"minor\":500000000,\"currency\":\"IRR\"}}",
                  pid));
    out = must(e, "loyalty.status", "{\"program\":\"club\",\"party\":\"%s\"}", pid);
    CHECK(has(out, "\"balance\":50"));
    crm_free(out);
    CHECK_STATUS(exec(e, "loyalty.redeem", &out,
                      "{\"program\":\"club\",\"party\":\"%s\",\"points\":51,\"key\":\"k1\"}", pid),
                 CRM_EINVALID, "points");
    out = must(e, "loyalty.redeem", "{\"program\":\"club\",\"party\":\"%s\",\"points\":20,\"key\":\"k1\"}",
               pid);
    CHECK(has(out, "\"points\":-20"));
    crm_free(out);
    crm_free(must(e, "loyalty.redeem", "{\"program\":\"club\",\"party\":\"%s\",\"points\":20,\"key\":\"k1\"}",
                  pid));
    out = must(e, "customer.view", "{\"party\":\"%s\"}", pid);
    CHECK(has(out, "\"balance\":30"));
    crm_free(out);
    CHECK_STATUS(exec(e, "loyalty.define", &out, "{\"program\":{\"id\":\"x\",\"earn\":[]}}"),
                 CRM_EINVALID, "program.earn");
    free(pid);
    crm_free(party);
    crm_engine_close(&e);
}

/* ---- the catalogue ----------------------------------------------------------------- */

static void test_commands(void) {
    static const char *const methods[] = {
        "party.create", "party.upsert", "party.update", "party.get", "party.set_consent",
        "party.link_organization", "party.unlink_organization", "interaction.log", "timeline.get",
        "activity.schedule", "activity.complete", "activity.cancel", "activity.overdue",
        "activity.list", "activity.due_by", "purchase.record", "purchase.list", "field.define", "field.list",
        "identifier.check",
        "customer.view", "search", "duplicates.find", "merge", "audit.trail", "events.after",
        "events.ack", "events.cursor", "import.customers", "import.orders", "export.customers",
        "process.define", "process.get", "process.list", "calendar.define", "calendar.holidays", "history.get",
        "opportunity.create", "opportunity.update", "opportunity.get", "opportunity.list",
        "opportunity.move", "opportunity.win", "opportunity.lose", "opportunity.reopen",
        "opportunity.moves", "opportunity.migrate", "lead.capture", "lead.update", "lead.get",
        "lead.list", "lead.move", "lead.disqualify", "lead.convert", "lead.scoring",
        "forecast", "pipeline.as_of", "pipeline.show", "product.define", "product.get",
        "product.list", "tax.define", "tax.list", "quote.create", "quote.update", "quote.get",
        "quote.list", "quote.move", "quote.revise", "quote.order", "quote.moves", "money.text",
        "queue.define",
        "queue.list", "sla.define", "sla.list", "assignment.define", "assignment.list",
        "escalation.define", "escalation.list",
        "ticket.auto_assign", "ticket.create", "ticket.update", "ticket.get",
        "ticket.list", "ticket.move", "ticket.moves", "ticket.assign", "ticket.refer",
        "ticket.merge", "ticket.comment", "ticket.comments", "ticket.explain_sla", "ticket.csat",
        "nps.record", "nps.list", "portal.view", "service.report", "service.proactive", "tick",
        "marketing.configure", "marketing.settings", "profile.get", "profile.schema",
        "profile.rebuild", "segment.define", "segment.get", "segment.list", "segment.count",
        "segment.members", "segment.sample", "segment.explain", "segment.memberships",
        "segment.history", "segment.snapshot", "segment.refresh", "list.add", "list.remove",
        "suppression.add", "suppression.remove", "suppression.list",
        "campaign.create", "campaign.update", "campaign.get", "campaign.list", "campaign.move",
        "campaign.members", "campaign.status", "campaign.plan", "campaign.plan_get",
        "campaign.dispatch", "campaign.report", "sms.parts", "sms.render",
        "loyalty.define", "loyalty.get", "loyalty.list", "loyalty.enrol", "loyalty.status",
        "loyalty.redeem", "loyalty.adjust", "loyalty.refresh",
        "analytics.clv.summary", "analytics.clv.fit", "analytics.clv.score", "analytics.clv.get",
        "analytics.compare", "analytics.funnel", "analytics.cohorts",
        "analytics.dashboard",
        "commands"};
    char *listed = NULL;
    char *by_execute = NULL;
    crm_engine *e = open_memory(0);
    size_t i;
    char needle[128];
    CHECK_STATUS(crm_commands(&listed), CRM_OK, "");
    CHECK(listed != NULL);
    if (listed == NULL || e == NULL) {
        crm_engine_close(&e);
        return;
    }
    CHECK(count_items(listed, "items") == (int)(sizeof methods / sizeof methods[0]));
    for (i = 0; i < sizeof methods / sizeof methods[0]; ++i) {
        snprintf(needle, sizeof needle, "\"method\":\"%s\"", methods[i]);
        if (!has(listed, needle)) {
            fprintf(stderr, "  FAIL %s is not in the catalogue\n", methods[i]);
            g_case_failed = 1;
        }
    }
    CHECK(has(listed, "\"mutates\":true"));
    CHECK_STATUS(crm_execute(e, "commands", "{}", &by_execute), CRM_OK, "");
    CHECK(by_execute != NULL && strcmp(listed, by_execute) == 0);
    crm_free(by_execute);
    crm_free(listed);
    crm_engine_close(&e);
}

/* ---- import ---------------------------------------------------------------------------- */

static void test_import(void) {
    const char *dirs[] = {CRM_TEST_TMPDIR};
    crm_open_options opts = CRM_OPEN_OPTIONS_INIT;
    crm_engine *e = NULL;
    char path[1024];
    char orders[1024];
    char *out = NULL;
    FILE *f;
    opts.fixed_now_ms = T0;
    opts.file_directories = dirs;
    opts.file_directory_count = 1;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_OK, "");
    if (e == NULL) return;
    snprintf(path, sizeof path, "%s/c_abi_customers_%ld.csv", CRM_TEST_TMPDIR, (long)getpid());
    snprintf(orders, sizeof orders, "%s/c_abi_orders_%ld.csv", CRM_TEST_TMPDIR, (long)getpid());
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL) {
        crm_engine_close(&e);
        return;
    }
    fputs("external_id,first_name,last_name,phone,city\n"
          "I-1,Ali,Karimi,09121234567,Tehran\n"
          "I-2,Sara,Ahmadi,not-a-phone,Shiraz\n"
          ",No,Key,,\n",
          f);
    fclose(f);
    f = fopen(orders, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs("external_id,order_id,ordered_at,amount_minor,currency\n"
              "I-1,SO-9,2024-02-01,500000,IRR\n",
              f);
        fclose(f);
    }

    out = must(e, "import.customers", "{\"path\":\"%s\",\"dry_run\":true}", path);
    CHECK(member_int(out, "rejected") == 1);
    crm_free(out);
    CHECK_STATUS(exec(e, "party.get", &out, "{\"external_id\":\"I-1\"}"), CRM_ENOTFOUND, "external_id");

    out = must(e, "import.customers", "{\"path\":\"%s\",\"context\":{\"actor\":\"nightly\"}}", path);
    CHECK(member_int(out, "imported") == 2);
    CHECK(member_int(out, "rejected") == 1);
    CHECK(member_int(out, "warnings") >= 1);
    CHECK(count_items(out, "problems") >= 2);
    CHECK(has(out, "\"severity\":\"error\""));
    crm_free(out);
    out = must(e, "party.get", "{\"external_id\":\"I-1\"}");
    CHECK(member_is(out, "city", "Tehran"));
    crm_free(out);

    out = must(e, "import.orders", "{\"path\":\"%s\"}", orders);
    CHECK(member_int(out, "imported") == 1);
    crm_free(out);

    CHECK_STATUS(exec(e, "import.customers", &out, "{\"path\":\"%s.missing\"}", path), CRM_ENOTFOUND,
                 "path");
    CHECK_STATUS(exec(e, "import.customers", &out, "{\"path\":\"%s\"}", CRM_TEST_TMPDIR),
                 CRM_EINVALID, "path");
    CHECK_STATUS(exec(e, "import.customers", &out, "{}"), CRM_EINVALID, "path");
    CHECK_STATUS(exec(e, "import.orders", &out, "{\"path\":\"%s\",\"dry_run\":\"yes\"}", orders),
                 CRM_EINVALID, "dry_run");
    remove(path);
    remove(orders);
    crm_engine_close(&e);
}

/* ---- errors are per thread ---------------------------------------------------------------- */

enum { kThreads = 8, kRounds = 200 };

struct worker {
    crm_engine *engine;
    int index;
    int failures;
};

static void *work(void *arg) {
    struct worker *w = (struct worker *)arg;
    char field[32];
    char request[64];
    int round;
    snprintf(field, sizeof field, "only_thread_%d", w->index);
    snprintf(request, sizeof request, "{\"%s\":1}", field);
    for (round = 0; round < kRounds; ++round) {
        char *out = (char *)"garbage";
        const crm_error *err;
        int rc = crm_execute(w->engine, "search", request, &out);
        err = crm_error_last();
        if (rc != CRM_EINVALID || out != NULL || err->status != CRM_EINVALID ||
            strcmp(err->field, field) != 0 || strstr(err->message, field) == NULL)
            ++w->failures;
        /* every other round, a success on this thread clears only this thread's error */
        if (round % 2 == 0) {
            rc = crm_execute(w->engine, "field.list", "{}", &out);
            if (rc != CRM_OK || crm_error_last()->status != CRM_OK) ++w->failures;
            crm_free(out);
        }
    }
    return NULL;
}

static void test_errors_are_per_thread(void) {
    crm_engine *e = open_memory(0);
    pthread_t threads[kThreads];
    struct worker workers[kThreads];
    int i;
    if (e == NULL) return;
    /* this thread's error must survive the other threads' work */
    CHECK_STATUS(crm_execute(e, "no.such", "{}", NULL), CRM_EINVALID, "out_response_json");
    for (i = 0; i < kThreads; ++i) {
        workers[i].engine = e;
        workers[i].index = i;
        workers[i].failures = 0;
        CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
    }
    for (i = 0; i < kThreads; ++i) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK(workers[i].failures == 0);
    }
    CHECK(crm_error_last()->status == CRM_EINVALID);
    CHECK(strcmp(crm_error_last()->field, "out_response_json") == 0);
    crm_engine_close(&e);
}

int main(void) {
    run_case("version", test_version);
    run_case("status codes are fixed", test_status_codes_are_fixed);
    run_case("options init macro and function agree", test_options_init_macro_and_function_agree);
    run_case("open and close", test_open_and_close);
    run_case("free and error basics", test_free_and_errors_basics);
    run_case("memory engine scenario", test_memory_scenario);
    run_case("sqlite engine scenario and reopen", test_sqlite_scenario_and_reopen);
    run_case("e-mail search ignores case (memory)", test_email_search_ignores_case_memory);
    run_case("e-mail search ignores case (sqlite)", test_email_search_ignores_case_sqlite);
    run_case("explicit transactions", test_transactions);
    run_case("events and acknowledgement", test_events_and_ack);
    run_case("manual clock and activities", test_clock_and_activities);
    run_case("organisations, consent, fields, duplicates, merge", test_organisations_fields_merge);
    run_case("bad input names the field", test_bad_input);
    run_case("sales: a pipeline, an opportunity, its moves", test_sales);
    run_case("quotes: catalogue, exact totals, won quote, ERP order", test_quotes);
    run_case("service: tickets, SLA clocks on business time, tick, bad input", test_service);
    run_case("segments: count, explain, 360 view, suppression sets, bad input", test_segments);
    run_case("loyalty: earn on purchase, redeem once per key, never beyond the balance", test_loyalty);
    run_case("campaigns: launch, plan, dispatch once, report, bad input", test_campaigns);
    run_case("the command catalogue", test_commands);
    run_case("import", test_import);
    run_case("errors are per thread", test_errors_are_per_thread);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
