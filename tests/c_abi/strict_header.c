/*
 * tests/c_abi/strict_header.c - crm.h compiled as strict C99
 * (-std=c99 -Wall -Wextra -pedantic -Werror), using every declaration it
 * makes. That it compiles is the test; the executable built from it runs
 * each call once with harmless arguments.
 */
#include "crm.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

static int expect(int got, int want, const char *what) {
    if (got == want) return 0;
    fprintf(stderr, "%s: got %d (%s), want %d\n", what, got, crm_status_name(got), want);
    return 1;
}

static int use_every_declaration(void) {
    static const crm_status all[] = {CRM_OK,          CRM_EINVALID,  CRM_ENOTFOUND,
                                     CRM_ECONFLICT,   CRM_EINVALID_TRANSITION,
                                     CRM_EPERMISSION, CRM_ESTORAGE,  CRM_EPARSE,
                                     CRM_EUNSUPPORTED, CRM_EVERSION, CRM_EINTERNAL,
                                     CRM_ENOMEM,      CRM_EMISUSE};
    crm_open_options opts = CRM_OPEN_OPTIONS_INIT;
    crm_engine *engine = NULL;
    char *json = NULL;
    const crm_error *error = NULL;
    int failures = 0;
    size_t i;
    const int version[3] = {CRM_VERSION_MAJOR, CRM_VERSION_MINOR, CRM_VERSION_PATCH};
    const char *version_string = CRM_VERSION_STRING;
    const int version_number = CRM_VERSION_NUMBER;

    for (i = 0; i < sizeof all / sizeof all[0]; ++i)
        if (crm_status_name(all[i]) == NULL) ++failures;
    if (version[0] < 0 || version_string[0] == '\0') ++failures;
    if (crm_version_number() != version_number || crm_version() == NULL) ++failures;

    failures += expect(crm_open_options_init(&opts, CRM_OPEN_OPTIONS_VERSION), CRM_OK, "init");
    opts.database = "memory:";
    opts.default_region = "IR";
    opts.fixed_now_ms = INT64_C(1710928800000);
    opts.mode = CRM_OPEN_CREATE;
    opts.busy_timeout_ms = 1000;
    opts.file_directories = NULL;
    opts.file_directory_count = 0;
    if (CRM_OPEN_MUST_EXIST == CRM_OPEN_READ_ONLY || CRM_LIMIT_JSON_DEPTH < 1 ||
        CRM_LIMIT_JSON_VALUES < 1 || CRM_LIMIT_REQUEST_BYTES < 1 || CRM_LIMIT_SEARCH_WINDOW < 1 ||
        CRM_LIMIT_EARLIEST_MS >= CRM_LIMIT_LATEST_MS)
        ++failures;
    failures += expect(crm_engine_open(&engine, &opts), CRM_OK, "open");

    failures += expect(crm_execute(engine, "commands", NULL, &json), CRM_OK, "execute");
    crm_free(json);
    json = NULL;
    failures += expect(crm_commands(&json), CRM_OK, "commands");
    crm_free(json);
    json = NULL;

    failures += expect(crm_begin(engine), CRM_OK, "begin");
    failures += expect(crm_commit(engine), CRM_OK, "commit");
    failures += expect(crm_rollback(engine), CRM_ECONFLICT, "rollback");

    failures += expect(crm_events_after(engine, 0, 10, &json), CRM_OK, "events_after");
    crm_free(json);
    failures += expect(crm_events_ack(engine, "strict", 0), CRM_OK, "events_ack");
    failures += expect(crm_set_now(engine, INT64_C(1710932400000)), CRM_OK, "set_now");

    error = crm_error_last();
    if (error == NULL || error->status != CRM_OK || error->message == NULL || error->field == NULL)
        ++failures;
    crm_error_clear();
    crm_engine_close(&engine);
    if (engine != NULL) ++failures;
    return failures;
}

int main(void) {
    const int failures = use_every_declaration();
    if (failures != 0) {
        fprintf(stderr, "strict_header: %d failures\n", failures);
        return 1;
    }
    puts("crm.h compiles as strict C99 and every declaration links");
    return 0;
}
