/*
 * tests/c_abi/doors_test.c - hostile but realistic requests through the C
 * ABI: nesting, sizes and offsets past the limits, duplicate keys, files
 * outside the directories a host allows, opening modes and locks, dates
 * and instants at the edges, handles used after close, strings freed
 * twice, and transactions that belong to the thread that began them.
 * Linked against the shared libcrmcore; runs under AddressSanitizer and
 * UndefinedBehaviorSanitizer in the sanitizer build.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "harness.h"

/* A malloc'd request: prefix, n copies of open, the middle, n of close, suffix. */
static char *nested(const char *prefix, const char *open, const char *middle, const char *close,
                    const char *suffix, size_t n) {
    size_t lo = strlen(open), lc = strlen(close);
    size_t size = strlen(prefix) + n * (lo + lc) + strlen(middle) + strlen(suffix) + 1;
    char *s = malloc(size);
    char *p = s;
    size_t i;
    if (s == NULL) return NULL;
    p += sprintf(p, "%s", prefix);
    for (i = 0; i < n; ++i, p += lo) memcpy(p, open, lo);
    p += sprintf(p, "%s", middle);
    for (i = 0; i < n; ++i, p += lc) memcpy(p, close, lc);
    sprintf(p, "%s", suffix);
    return s;
}

static double seconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* ---- 1. nesting ---------------------------------------------------------- */

struct deep_call {
    crm_engine *engine;
    const char *method;
    const char *request;
    int status;
    char field[64];
    int names_limit;
};

static void *run_deep_call(void *arg) {
    struct deep_call *c = (struct deep_call *)arg;
    char *out = NULL;
    c->status = crm_execute(c->engine, c->method, c->request, &out);
    snprintf(c->field, sizeof c->field, "%s", crm_error_last()->field);
    c->names_limit = strstr(crm_error_last()->message, "128") != NULL;
    crm_free(out);
    return NULL;
}

/* Runs the request on a thread with a 1 MB stack, as a host's worker may have. */
static struct deep_call on_small_stack(crm_engine *e, const char *method, const char *request) {
    struct deep_call c;
    pthread_attr_t attr;
    pthread_t t;
    memset(&c, 0, sizeof c);
    c.engine = e;
    c.method = method;
    c.request = request;
    c.status = 1;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1024 * 1024);
    CHECK(pthread_create(&t, &attr, run_deep_call, &c) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    pthread_attr_destroy(&attr);
    return c;
}

static void test_deep_nesting_is_refused(void) {
    static const char *const methods[][2] = {
        {"segment.define", "{\"id\":\"deep\",\"rule\":"},
        {"process.define", "{\"definition\":"},
        {"loyalty.define", "{\"program\":"},
        {"campaign.create", "{\"name\":\"c\",\"segments\":"},
        {"calendar.define", "{\"calendar\":"},
        {"sla.define", "{\"policy\":"},
        {"marketing.configure", "{\"settings\":"},
        {"party.upsert", "{\"external_id\":\"D\",\"custom\":"},
    };
    crm_engine *e = open_memory(0);
    size_t i;
    if (e == NULL) return;
    for (i = 0; i < sizeof methods / sizeof methods[0]; ++i) {
        /* 100,000 levels: refused while parsing, on the caller's stack. */
        char *deep = nested(methods[i][1], "{\"and\":[", "true", "]}", "}", 100000);
        char *out = NULL;
        CHECK(deep != NULL);
        if (deep == NULL) continue;
        CHECK_STATUS(crm_execute(e, methods[i][0], deep, &out), CRM_EINVALID, "request");
        CHECK(out == NULL);
        CHECK(has(crm_error_last()->message, "128"));
        free(deep);
        /* 10,000 levels on a 1 MB thread stack: the same answer, no crash. */
        deep = nested(methods[i][1], "[", "1", "]", "}", 10000);
        if (deep != NULL) {
            struct deep_call c = on_small_stack(e, methods[i][0], deep);
            CHECK(c.status == CRM_EINVALID);
            CHECK(strcmp(c.field, "request") == 0);
            CHECK(c.names_limit);
        }
        free(deep);
    }
    {
        /* Within the limit (127 levels) the request is read, and the rule's
         * own checks answer (a segment rule nested this deep is still
         * refused, by its own field, without a crash on a 1 MB stack); one
         * level past it (129) the parser refuses it. */
        char *at_limit = nested("{\"id\":\"deep\",\"rule\":", "{\"not\":", "true", "}", "}", 126);
        struct deep_call c = on_small_stack(e, "segment.define", at_limit);
        CHECK(c.status == CRM_EINVALID);
        CHECK(strcmp(c.field, "request") != 0);
        free(at_limit);
        at_limit = nested("{\"id\":\"deep\",\"rule\":", "{\"not\":", "true", "}", "}", 128);
        c = on_small_stack(e, "segment.define", at_limit);
        CHECK(c.status == CRM_EINVALID);
        CHECK(strcmp(c.field, "request") == 0);
        free(at_limit);
    }
    crm_engine_close(&e);
}

/* ---- 2. offsets ---------------------------------------------------------- */

static void search_offsets(crm_engine *e) {
    char *out = NULL;
    CHECK_STATUS(exec(e, "search", &out, "{\"text\":\"a\",\"offset\":9223372036854775807}"),
                 CRM_EINVALID, "offset");
    CHECK(has(crm_error_last()->message, "10000"));
    CHECK_STATUS(exec(e, "search", &out, "{\"text\":\"a\",\"offset\":1000000}"), CRM_EINVALID,
                 "offset");
    CHECK_STATUS(exec(e, "search", &out, "{\"text\":\"a\",\"offset\":9991,\"limit\":10}"),
                 CRM_EINVALID, "offset");
    CHECK_STATUS(exec(e, "search", &out, "{\"text\":\"a\",\"offset\":-1}"), CRM_EINVALID, "offset");
    out = must(e, "search", "{\"text\":\"Ali\",\"offset\":9990,\"limit\":10}");
    CHECK(count_items(out, "items") == 0);
    crm_free(out);
    out = must(e, "search", "{\"text\":\"Ali\",\"offset\":0,\"limit\":10}");
    CHECK(count_items(out, "items") == 1);
    crm_free(out);
    out = must(e, "search", "{\"text\":\"Ali\",\"offset\":1,\"limit\":10}");
    CHECK(count_items(out, "items") == 0);
    crm_free(out);
}

static void test_search_offsets(void) {
    char path[1024];
    crm_open_options opts = CRM_OPEN_OPTIONS_INIT;
    crm_engine *e = open_memory(0);
    char *out = NULL;
    if (e == NULL) return;
    out = must(e, "party.upsert", "{\"external_id\":\"O-1\",\"first_name\":\"Ali\",\"last_name\":\"Rad\"}");
    crm_free(out);
    search_offsets(e);
    crm_engine_close(&e);

    temp_db_path(path, sizeof path, "offsets");
    remove_db(path);
    opts.database = path;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_OK, "");
    if (e == NULL) return;
    out = must(e, "party.upsert", "{\"external_id\":\"O-1\",\"first_name\":\"Ali\",\"last_name\":\"Rad\"}");
    crm_free(out);
    search_offsets(e);
    crm_engine_close(&e);
    remove_db(path);
}

/* ---- 3. sizes -------------------------------------------------------------- */

static void test_sizes_are_checked_first(void) {
    crm_engine *e = open_memory(0);
    size_t n = 200000, i;
    char *req = malloc(n * 16 + 128);
    char *p;
    char *out = NULL;
    struct timespec start;
    if (e == NULL || req == NULL) {
        free(req);
        crm_engine_close(&e);
        return;
    }
    /* 200,000 distinct tags: the 101st is refused, without sorting the rest. */
    p = req + sprintf(req, "{\"external_id\":\"T-1\",\"first_name\":\"Tag\",\"tags\":[");
    for (i = 0; i < n; ++i) p += sprintf(p, "%s\"t%lu\"", i ? "," : "", (unsigned long)i);
    sprintf(p, "]}");
    clock_gettime(CLOCK_MONOTONIC, &start);
    CHECK_STATUS(crm_execute(e, "party.upsert", req, &out), CRM_EINVALID, "tags[100]");
    CHECK(seconds_since(&start) < 5.0);
    /* 200,000 distinct keys in one object: read in linear time. */
    p = req + sprintf(req, "{\"external_id\":\"T-1\",\"first_name\":\"Key\",\"custom\":{");
    for (i = 0; i < n; ++i) p += sprintf(p, "%s\"k%lu\":1", i ? "," : "", (unsigned long)i);
    sprintf(p, "}}");
    clock_gettime(CLOCK_MONOTONIC, &start);
    CHECK_STATUS(crm_execute(e, "party.upsert", req, &out), CRM_EINVALID, "custom.k0");
    CHECK(seconds_since(&start) < 5.0);
    /* At the cap, a write that adds one tag and removes another is fine. */
    p = req + sprintf(req, "{\"external_id\":\"T-2\",\"first_name\":\"Cap\",\"tags\":[");
    for (i = 0; i < 100; ++i) p += sprintf(p, "%s\"t%lu\"", i ? "," : "", (unsigned long)i);
    sprintf(p, "]}");
    CHECK_STATUS(crm_execute(e, "party.upsert", req, &out), CRM_OK, "");
    crm_free(out);
    CHECK_STATUS(exec(e, "party.upsert", &out,
                      "{\"external_id\":\"T-2\",\"add_tags\":[\"new\"],\"remove_tags\":[\"t0\"]}"),
                 CRM_OK, "");
    crm_free(out);
    CHECK_STATUS(exec(e, "party.upsert", &out, "{\"external_id\":\"T-2\",\"add_tags\":[\"more\"]}"),
                 CRM_EINVALID, "add_tags[0]");
    /* More values than one request may hold. */
    p = req + sprintf(req, "{\"text\":\"a\",\"x\":[");
    for (i = 0; i < 1000001; ++i) {
        *p++ = i ? ',' : '0';
        if (i) *p++ = '0';
        if ((size_t)(p - req) > n * 16) break;
    }
    sprintf(p, "]}");
    CHECK_STATUS(crm_execute(e, "search", req, &out), CRM_EINVALID, "request");
    CHECK(has(crm_error_last()->message, "1000000"));
    free(req);
    /* A request larger than CRM_LIMIT_REQUEST_BYTES is refused unread. */
    req = malloc((size_t)CRM_LIMIT_REQUEST_BYTES + 64);
    if (req != NULL) {
        size_t len = (size_t)CRM_LIMIT_REQUEST_BYTES + 32;
        memset(req, ' ', len);
        memcpy(req, "{\"text\":\"", 9);
        memcpy(req + len - 3, "\"}", 2);
        req[len - 1] = '\0';
        for (i = 9; i < len - 3; ++i) req[i] = 'a';
        clock_gettime(CLOCK_MONOTONIC, &start);
        CHECK_STATUS(crm_execute(e, "search", req, &out), CRM_EINVALID, "request");
        CHECK(has(crm_error_last()->message, "limit"));
        free(req);
    }
    crm_engine_close(&e);
}

/* ---- 10. duplicate keys ------------------------------------------------------ */

static void test_duplicate_keys_are_refused(void) {
    crm_engine *e = open_memory(0);
    char *out = NULL;
    if (e == NULL) return;
    CHECK_STATUS(exec(e, "party.upsert", &out,
                      "{\"external_id\":\"D1\",\"external_id\":\"D2\",\"first_name\":\"A\"}"),
                 CRM_EINVALID, "external_id");
    CHECK(has(crm_error_last()->message, "twice"));
    CHECK_STATUS(exec(e, "party.get", &out, "{\"external_id\":\"D2\"}"), CRM_ENOTFOUND, NULL);
    CHECK_STATUS(exec(e, "party.get", &out, "{\"external_id\":\"D1\"}"), CRM_ENOTFOUND, NULL);
    CHECK_STATUS(exec(e, "party.upsert", &out,
                      "{\"external_id\":\"D1\",\"first_name\":\"A\",\"contacts\":[{\"kind\":"
                      "\"email\",\"value\":\"a@b.ir\",\"value\":\"c@d.ir\"}]}"),
                 CRM_EINVALID, "contacts[0].value");
    /* Equal keys in different objects are fine. */
    out = must(e, "party.upsert",
               "{\"external_id\":\"D1\",\"first_name\":\"A\",\"contacts\":[{\"kind\":\"email\","
               "\"value\":\"a@b.ir\"},{\"kind\":\"email\",\"value\":\"c@d.ir\"}]}");
    crm_free(out);
    crm_engine_close(&e);
}

/* ---- 4. files -------------------------------------------------------------- */

static int write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) return 0;
    fputs(text, f);
    return fclose(f) == 0;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    if (f == NULL) return NULL;
    buf = calloc(1, 1 << 16);
    n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    (void)n;
    fclose(f);
    return buf;
}

static void test_files_only_where_the_host_allows(void) {
    char dir[1024], inside[1100], link[1100], secret[1100], export_path[1100], outside[1100];
    const char *dirs[1];
    crm_open_options opts = CRM_OPEN_OPTIONS_INIT;
    crm_engine *e = open_memory(0);
    char *out = NULL;
    char *text;
    snprintf(dir, sizeof dir, "%s/doors_files_%ld", CRM_TEST_TMPDIR, (long)getpid());
    snprintf(outside, sizeof outside, "%s/doors_outside_%ld.csv", CRM_TEST_TMPDIR, (long)getpid());
    mkdir(dir, 0700);
    snprintf(inside, sizeof inside, "%s/customers.csv", dir);
    snprintf(link, sizeof link, "%s/passwd.csv", dir);
    snprintf(secret, sizeof secret, "%s/secret.csv", dir);
    snprintf(export_path, sizeof export_path, "%s/export.csv", dir);
    CHECK(write_file(inside, "external_id,first_name\nF-1,Ali\n"));
    CHECK(write_file(outside, "external_id,first_name\nF-2,Sara\n"));
    CHECK(write_file(secret, "root:$6$abcdefgh$0123456789012345678901234567890123456789TOPSECRETVALUE:19000:0:99999:7:::\n"));
    (void)symlink("/etc/passwd", link);
    if (e == NULL) return;

    /* An engine opened without directories reads and writes no file. */
    CHECK_STATUS(exec(e, "import.customers", &out, "{\"path\":\"%s\"}", inside), CRM_EPERMISSION,
                 "path");
    CHECK_STATUS(exec(e, "import.customers", &out, "{\"path\":\"/etc/shadow\",\"dry_run\":true}"),
                 CRM_EPERMISSION, "path");
    CHECK_STATUS(exec(e, "export.customers", &out, "{\"path\":\"%s\"}", export_path),
                 CRM_EPERMISSION, "path");
    CHECK(access(export_path, F_OK) != 0);
    /* CSV travels in the request and the response instead. */
    out = must(e, "import.customers", "{\"csv\":\"external_id,first_name\\nB-1,Reza\\n\"}");
    CHECK(member_int(out, "imported") == 1);
    crm_free(out);
    out = must(e, "export.customers", "{}");
    CHECK(member_int(out, "exported") == 1);
    text = member(out, "csv");
    CHECK(has(text, "B-1"));
    free(text);
    crm_free(out);
    CHECK_STATUS(exec(e, "import.customers", &out, "{\"csv\":\"a\",\"path\":\"x\"}"), CRM_EINVALID,
                 "csv");
    CHECK_STATUS(exec(e, "export.customers", &out, "{\"overwrite\":true}"), CRM_EINVALID,
                 "overwrite");
    crm_engine_close(&e);

    /* Opened with one directory: inside it, yes; outside, and through a link, no. */
    dirs[0] = dir;
    opts.file_directories = dirs;
    opts.file_directory_count = 1;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_OK, "");
    if (e == NULL) return;
    out = must(e, "import.customers", "{\"path\":\"%s\"}", inside);
    CHECK(member_int(out, "imported") == 1);
    crm_free(out);
    out = must(e, "import.customers", "{\"path\":\"customers.csv\",\"dry_run\":true}");
    CHECK(member_int(out, "unchanged") == 1);
    crm_free(out);
    CHECK_STATUS(exec(e, "import.customers", &out, "{\"path\":\"%s\"}", outside), CRM_EPERMISSION,
                 "path");
    CHECK_STATUS(exec(e, "import.customers", &out, "{\"path\":\"%s/../doors_outside_%ld.csv\"}",
                      dir, (long)getpid()),
                 CRM_EPERMISSION, "path");
    CHECK_STATUS(exec(e, "import.customers", &out, "{\"path\":\"/etc/shadow\"}"), CRM_EPERMISSION,
                 "path");
    CHECK_STATUS(exec(e, "import.customers", &out, "{\"path\":\"%s\"}", link), CRM_EPERMISSION,
                 "path");
    CHECK_STATUS(exec(e, "import.customers", &out, "{\"path\":\"/proc/self/environ\"}"),
                 CRM_EPERMISSION, "path");
    /* Outside, a missing file answers like an existing one: nothing is probed. */
    CHECK_STATUS(exec(e, "import.customers", &out, "{\"path\":\"/no/such/file.csv\"}"),
                 CRM_EPERMISSION, "path");
    /* A file that is not CSV: what the error repeats of it is short. */
    CHECK(exec(e, "import.customers", &out, "{\"path\":\"%s\",\"dry_run\":true}", secret) < 0);
    CHECK(!has(crm_error_last()->message, "TOPSECRETVALUE"));
    crm_free(out);
    out = NULL;
    /* An export never replaces a file unless asked. */
    out = must(e, "export.customers", "{\"path\":\"%s\"}", export_path);
    CHECK(member_int(out, "exported") == 1);
    crm_free(out);
    CHECK(write_file(export_path, "keep me\n"));
    CHECK_STATUS(exec(e, "export.customers", &out, "{\"path\":\"%s\"}", export_path), CRM_ECONFLICT,
                 "path");
    text = read_file(export_path);
    CHECK(text != NULL && strcmp(text, "keep me\n") == 0);
    free(text);
    out = must(e, "export.customers", "{\"path\":\"%s\",\"overwrite\":true}", export_path);
    crm_free(out);
    text = read_file(export_path);
    CHECK(has(text, "F-1"));
    free(text);
    CHECK_STATUS(exec(e, "export.customers", &out, "{\"path\":\"%s\"}", outside), CRM_EPERMISSION,
                 "path");
    /* A link at the export's name is replaced, never followed, even when
     * overwriting: the file it points to outside stays as it was. */
    remove(link);
    CHECK(symlink(outside, link) == 0);
    CHECK_STATUS(exec(e, "export.customers", &out, "{\"path\":\"%s\"}", link), CRM_ECONFLICT, "path");
    out = must(e, "export.customers", "{\"path\":\"%s\",\"overwrite\":true}", link);
    crm_free(out);
    text = read_file(outside);
    CHECK(text != NULL && strcmp(text, "external_id,first_name\nF-2,Sara\n") == 0);
    free(text);
    {
        struct stat st;
        CHECK(lstat(link, &st) == 0 && S_ISREG(st.st_mode));
    }
    crm_engine_close(&e);

    /* A directory that does not exist is refused when opening. */
    dirs[0] = "/no/such/directory";
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_EINVALID, "opts.file_directories[0]");
    CHECK(e == NULL);
    opts.file_directories = NULL;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_EINVALID, "opts.file_directories");

    remove(inside);
    remove(link);
    remove(secret);
    remove(export_path);
    remove(outside);
    rmdir(dir);
}

/* ---- 5, 6, 7. opening ---------------------------------------------------------- */

static void test_open_modes(void) {
    char path[1024];
    crm_open_options opts = CRM_OPEN_OPTIONS_INIT;
    crm_engine *e = NULL;
    char *out = NULL;
    temp_db_path(path, sizeof path, "modes");
    remove_db(path);
    opts.database = path;

    opts.mode = CRM_OPEN_MUST_EXIST;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_ENOTFOUND, "opts.database");
    CHECK(access(path, F_OK) != 0);
    opts.mode = CRM_OPEN_READ_ONLY;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_ENOTFOUND, "opts.database");
    CHECK(access(path, F_OK) != 0);
    opts.mode = 7;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_EINVALID, "opts.mode");

    opts.mode = CRM_OPEN_CREATE;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_OK, "");
    out = must(e, "party.upsert", "{\"external_id\":\"M-1\",\"first_name\":\"Ali\"}");
    crm_free(out);
    crm_engine_close(&e);

    opts.mode = CRM_OPEN_READ_ONLY;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_OK, "");
    if (e != NULL) {
        out = must(e, "party.get", "{\"external_id\":\"M-1\"}");
        CHECK(member_is(out, "first_name", "Ali"));
        crm_free(out);
        CHECK_STATUS(exec(e, "party.upsert", &out, "{\"external_id\":\"M-2\",\"first_name\":\"B\"}"),
                     CRM_ESTORAGE, NULL);
        crm_engine_close(&e);
    }
    opts.mode = CRM_OPEN_MUST_EXIST;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_OK, "");
    crm_engine_close(&e);

    /* memory:NAME is no database; the memory engine takes create only. */
    opts.mode = CRM_OPEN_CREATE;
    opts.database = "memory:xyz";
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_EINVALID, "opts.database");
    CHECK(access("memory:xyz", F_OK) != 0);
    opts.database = "memory:";
    opts.mode = CRM_OPEN_READ_ONLY;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_EINVALID, "opts.mode");
    opts.mode = CRM_OPEN_CREATE;
    opts.busy_timeout_ms = -1;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_EINVALID, "opts.busy_timeout_ms");
    opts.busy_timeout_ms = 5000;

    /* A path that is not UTF-8 comes back escaped, never as raw bytes. */
    opts.database = CRM_TEST_TMPDIR "/no/such/\xff\xfe.db";
    CHECK(crm_engine_open(&e, &opts) < 0);
    CHECK(!has(crm_error_last()->message, "\xff"));
    CHECK(has(crm_error_last()->message, "\\xff"));
    remove_db(path);
}

static void test_opening_does_not_wait_for_a_writer(void) {
    char path[1024];
    crm_open_options opts = CRM_OPEN_OPTIONS_INIT;
    crm_engine *writer = NULL, *reader = NULL;
    char *out = NULL;
    struct timespec start;
    temp_db_path(path, sizeof path, "locked");
    remove_db(path);
    opts.database = path;
    CHECK_STATUS(crm_engine_open(&writer, &opts), CRM_OK, "");
    if (writer == NULL) return;
    out = must(writer, "party.upsert", "{\"external_id\":\"L-1\",\"first_name\":\"Ali\"}");
    crm_free(out);
    /* The writer holds SQLite's write lock inside its open transaction. */
    CHECK_STATUS(crm_begin(writer), CRM_OK, "");
    out = must(writer, "party.upsert", "{\"external_id\":\"L-2\",\"first_name\":\"Sara\"}");
    crm_free(out);

    clock_gettime(CLOCK_MONOTONIC, &start);
    opts.mode = CRM_OPEN_READ_ONLY;
    CHECK_STATUS(crm_engine_open(&reader, &opts), CRM_OK, "");
    if (reader != NULL) {
        out = must(reader, "search", "{\"text\":\"Ali\"}");
        CHECK(count_items(out, "items") == 1);
        crm_free(out);
        crm_engine_close(&reader);
    }
    opts.mode = CRM_OPEN_MUST_EXIST;
    CHECK_STATUS(crm_engine_open(&reader, &opts), CRM_OK, "");
    crm_engine_close(&reader);
    CHECK(seconds_since(&start) < 2.0);
    CHECK_STATUS(crm_commit(writer), CRM_OK, "");
    crm_engine_close(&writer);
    remove_db(path);
}

/* ---- 8, 9. dates and instants -------------------------------------------------- */

static void test_dates_and_instants(void) {
    crm_engine *e = open_memory(INT64_C(1747000000000)); /* 2025-05-11 */
    char *out = NULL;
    char *party, *pid, *v;
    if (e == NULL) return;
    party = must(e, "party.upsert", "{\"external_id\":\"J-1\",\"first_name\":\"Ali\"}");
    pid = member2(party, "party", "id");
    if (pid == NULL) pid = member(party, "id");
    crm_free(party);
    CHECK(pid != NULL);
    if (pid == NULL) {
        crm_engine_close(&e);
        return;
    }
    /* The same text is the same day, whatever the field. */
    out = must(e, "activity.schedule",
               "{\"party\":\"%s\",\"kind\":\"call\",\"subject\":\"s\",\"due\":\"1404-03-01\"}", pid);
    v = member(out, "due");
    CHECK(v != NULL && strncmp(v, "2025-05-22", 10) == 0);
    free(v);
    crm_free(out);
    out = must(e, "opportunity.create",
               "{\"party\":\"%s\",\"name\":\"o\",\"expected_close\":\"1404-03-01\"}", pid);
    v = member(out, "expected_close");
    CHECK(v != NULL && strcmp(v, "2025-05-22") == 0);
    free(v);
    crm_free(out);
    out = must(e, "activity.schedule",
               "{\"party\":\"%s\",\"kind\":\"call\",\"subject\":\"s\",\"due\":\"2025-05-22T10:00\"}",
               pid);
    v = member(out, "due");
    CHECK(v != NULL && strcmp(v, "2025-05-22T10:00:00Z") == 0);
    free(v);
    crm_free(out);
    /* A Jalali date before 1700-01-01 is refused, not taken for a Gregorian one. */
    CHECK_STATUS(exec(e, "activity.schedule", &out,
                      "{\"party\":\"%s\",\"kind\":\"call\",\"subject\":\"s\",\"due\":\"1050-01-01\"}",
                      pid),
                 CRM_EPARSE, "due");
    CHECK_STATUS(exec(e, "opportunity.create", &out,
                      "{\"party\":\"%s\",\"name\":\"o\",\"expected_close\":\"1050-01-01\"}", pid),
                 CRM_EINVALID, "expected_close");
    /* A year below 1000 is in neither calendar. */
    CHECK_STATUS(exec(e, "activity.schedule", &out,
                      "{\"party\":\"%s\",\"kind\":\"call\",\"subject\":\"s\",\"due\":\"0999-01-01\"}",
                      pid),
                 CRM_EPARSE, "due");
    CHECK_STATUS(exec(e, "opportunity.create", &out,
                      "{\"party\":\"%s\",\"name\":\"o\",\"expected_close\":\"0999-01-01\"}", pid),
                 CRM_EINVALID, "expected_close");
    /* Instants outside years 1700..9999 are refused, not wrapped. */
    CHECK_STATUS(exec(e, "party.upsert", &out,
                      "{\"external_id\":\"J-2\",\"first_name\":\"A\",\"created_at\":18446744073709551615}"),
                 CRM_EINVALID, "created_at");
    CHECK_STATUS(exec(e, "party.upsert", &out,
                      "{\"external_id\":\"J-2\",\"first_name\":\"A\",\"created_at\":9223372036854775807}"),
                 CRM_EINVALID, "created_at");
    CHECK_STATUS(exec(e, "party.upsert", &out,
                      "{\"external_id\":\"J-2\",\"first_name\":\"A\",\"created_at\":%lld}",
                      (long long)CRM_LIMIT_LATEST_MS + 1),
                 CRM_EINVALID, "created_at");
    CHECK_STATUS(exec(e, "party.upsert", &out,
                      "{\"external_id\":\"J-2\",\"first_name\":\"A\",\"created_at\":%lld}",
                      (long long)CRM_LIMIT_EARLIEST_MS - 1),
                 CRM_EINVALID, "created_at");
    out = must(e, "party.upsert",
               "{\"external_id\":\"J-2\",\"first_name\":\"A\",\"created_at\":%lld}",
               (long long)CRM_LIMIT_LATEST_MS);
    crm_free(out);
    out = must(e, "party.get", "{\"external_id\":\"J-2\"}");
    v = member(out, "created_at");
    CHECK(v != NULL && strcmp(v, "9999-12-31T23:59:59.999Z") == 0);
    free(v);
    crm_free(out);
    CHECK_STATUS(crm_set_now(e, CRM_LIMIT_LATEST_MS + 1), CRM_EINVALID, "ms");
    free(pid);
    crm_engine_close(&e);
}

/* ---- 16. misuse ------------------------------------------------------------- */

static void test_misuse_is_reported(void) {
    crm_engine *e = open_memory(0);
    crm_engine *copy = e;
    char *out = NULL;
    int not_an_engine = 0;
    crm_engine *foreign = (crm_engine *)&not_an_engine;
    if (e == NULL) return;
    out = must(e, "field.list", "{}");
    /* A string freed twice: the second is left alone and reported. */
    crm_free(out);
    crm_error_clear();
    crm_free(out);
    CHECK(crm_error_last()->status == CRM_EMISUSE);
    crm_free(&not_an_engine);
    CHECK(crm_error_last()->status == CRM_EMISUSE);

    crm_engine_close(&e);
    CHECK(e == NULL);
    /* The handle's copy after close, and a pointer that never was one. */
    CHECK_STATUS(crm_execute(copy, "field.list", "{}", &out), CRM_EMISUSE, "engine");
    CHECK(out == NULL);
    CHECK_STATUS(crm_begin(copy), CRM_EMISUSE, "engine");
    CHECK_STATUS(crm_commit(copy), CRM_EMISUSE, "engine");
    CHECK_STATUS(crm_rollback(copy), CRM_EMISUSE, "engine");
    CHECK_STATUS(crm_events_after(copy, 0, 10, &out), CRM_EMISUSE, "engine");
    CHECK_STATUS(crm_events_ack(copy, "erp", 0), CRM_EMISUSE, "engine");
    CHECK_STATUS(crm_set_now(copy, 0), CRM_EMISUSE, "engine");
    CHECK_STATUS(crm_execute(foreign, "field.list", "{}", &out), CRM_EMISUSE, "engine");
    crm_error_clear();
    crm_engine_close(&copy);
    CHECK(copy == NULL);
    CHECK(crm_error_last()->status == CRM_EMISUSE);
}

/* ---- 17. a transaction belongs to its thread ------------------------------------ */

struct other_thread {
    crm_engine *engine;
    int upsert_status;
    int commit_status;
    int rollback_status;
    double waited;
};

static void *write_from_other_thread(void *arg) {
    struct other_thread *t = (struct other_thread *)arg;
    char *out = NULL;
    struct timespec start;
    t->commit_status = crm_commit(t->engine);
    t->rollback_status = crm_rollback(t->engine);
    clock_gettime(CLOCK_MONOTONIC, &start);
    t->upsert_status =
        crm_execute(t->engine, "party.upsert", "{\"external_id\":\"B-1\",\"first_name\":\"Bita\"}", &out);
    t->waited = seconds_since(&start);
    crm_free(out);
    return NULL;
}

static void test_transactions_belong_to_their_thread(void) {
    crm_open_options opts = CRM_OPEN_OPTIONS_INIT;
    crm_engine *e = NULL;
    pthread_t t;
    struct other_thread other;
    char *out = NULL;
    opts.busy_timeout_ms = 200;
    CHECK_STATUS(crm_engine_open(&e, &opts), CRM_OK, "");
    if (e == NULL) return;

    /* Another thread neither ends this thread's transaction nor joins it:
     * its write waits, then fails, and the rollback here undoes only ours. */
    memset(&other, 0, sizeof other);
    other.engine = e;
    CHECK_STATUS(crm_begin(e), CRM_OK, "");
    out = must(e, "party.upsert", "{\"external_id\":\"A-1\",\"first_name\":\"Ali\"}");
    crm_free(out);
    CHECK(pthread_create(&t, NULL, write_from_other_thread, &other) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(other.commit_status == CRM_ECONFLICT);
    CHECK(other.rollback_status == CRM_ECONFLICT);
    CHECK(other.upsert_status == CRM_ECONFLICT);
    CHECK(other.waited >= 0.15);
    CHECK_STATUS(crm_rollback(e), CRM_OK, "");
    CHECK_STATUS(exec(e, "party.get", &out, "{\"external_id\":\"A-1\"}"), CRM_ENOTFOUND, NULL);
    CHECK_STATUS(exec(e, "party.get", &out, "{\"external_id\":\"B-1\"}"), CRM_ENOTFOUND, NULL);

    /* With no transaction open the other thread's write runs at once, in
     * its own transaction, and survives this thread's later rollback. */
    memset(&other, 0, sizeof other);
    other.engine = e;
    CHECK(pthread_create(&t, NULL, write_from_other_thread, &other) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(other.upsert_status == CRM_OK);
    CHECK_STATUS(crm_begin(e), CRM_OK, "");
    CHECK_STATUS(crm_begin(e), CRM_ECONFLICT, "");
    CHECK_STATUS(crm_rollback(e), CRM_OK, "");
    out = must(e, "party.get", "{\"external_id\":\"B-1\"}");
    CHECK(member_is(out, "first_name", "Bita"));
    crm_free(out);
    crm_engine_close(&e);
}

int main(void) {
    run_case("1. deep nesting is refused while parsing, on any stack", test_deep_nesting_is_refused);
    run_case("2. search offsets past the window are refused", test_search_offsets);
    run_case("3. sizes are checked before work that grows with them", test_sizes_are_checked_first);
    run_case("4. files only below the directories the host allows", test_files_only_where_the_host_allows);
    run_case("5, 7. open modes, memory:NAME, escaped paths", test_open_modes);
    run_case("6. opening a current file does not wait for a writer", test_opening_does_not_wait_for_a_writer);
    run_case("8, 9. one rule for dates; instants in range", test_dates_and_instants);
    run_case("10. duplicate keys are refused", test_duplicate_keys_are_refused);
    run_case("16. closed handles and double frees are misuse", test_misuse_is_reported);
    run_case("17. a transaction belongs to its thread", test_transactions_belong_to_their_thread);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
