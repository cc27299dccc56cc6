/*
 * tests/c_abi/harness.h - what the C ABI test programs share: the CHECK
 * macros, run_case(), just enough JSON reading for the library's compact
 * responses, and engines and temporary paths for a case.
 */
#ifndef CRM_TEST_HARNESS_H
#define CRM_TEST_HARNESS_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm.h"

#ifndef CRM_TEST_TMPDIR
#define CRM_TEST_TMPDIR "."
#endif

/* ---- the harness ------------------------------------------------------- */

static int g_passed, g_failed, g_case_failed;

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
            g_case_failed = 1;                                                           \
        }                                                                                \
    } while (0)

/* Checks a status and that crm_error_last() agrees, naming `field` (NULL:
 * any field) when the status is a failure. */
#define CHECK_STATUS(call, want, field) check_status(__FILE__, __LINE__, #call, (call), (want), (field))

static inline void check_status(const char *file, int line, const char *what, int got, int want,
                         const char *field) {
    const crm_error *e = crm_error_last();
    if (e == NULL) {
        fprintf(stderr, "  FAIL %s:%d: crm_error_last() is NULL after %s\n", file, line, what);
        g_case_failed = 1;
        return;
    }
    if (got != want) {
        fprintf(stderr, "  FAIL %s:%d: %s returned %d (%s), want %d (%s); last error: %s\n", file,
                line, what, got, crm_status_name(got), want, crm_status_name(want), e->message);
        g_case_failed = 1;
        return;
    }
    if (e->status != got) {
        fprintf(stderr, "  FAIL %s:%d: %s: crm_error_last()->status %d, returned %d\n", file, line,
                what, e->status, got);
        g_case_failed = 1;
    }
    if (e->message == NULL || e->field == NULL) {
        fprintf(stderr, "  FAIL %s:%d: %s: NULL message or field\n", file, line, what);
        g_case_failed = 1;
        return;
    }
    if (field != NULL && strcmp(e->field, field) != 0) {
        fprintf(stderr, "  FAIL %s:%d: %s: field \"%s\", want \"%s\" (%s)\n", file, line, what,
                e->field, field, e->message);
        g_case_failed = 1;
    }
}

static inline void run_case(const char *name, void (*fn)(void)) {
    g_case_failed = 0;
    fn();
    if (g_case_failed) {
        ++g_failed;
        printf("FAILED %s\n", name);
    } else {
        ++g_passed;
        printf("ok %s\n", name);
    }
    fflush(stdout);
}

/* ---- JSON helpers: just enough to read the library's compact output ------ */

/* Skips one JSON value starting at p; returns the first byte after it. */
static inline const char *skip_value(const char *p) {
    int depth = 0;
    do {
        if (*p == '"') {
            for (++p; *p && *p != '"'; ++p)
                if (*p == '\\' && p[1]) ++p;
            if (*p) ++p;
        } else if (*p == '{' || *p == '[') {
            ++depth;
            ++p;
        } else if (*p == '}' || *p == ']') {
            --depth;
            ++p;
        } else if (depth == 0) {
            while (*p && *p != ',' && *p != '}' && *p != ']') ++p;
        } else {
            ++p;
        }
    } while (*p && depth > 0);
    return p;
}

/* A malloc'd copy of the value of the top-level member `key` of the object
 * `json` (a string without its quotes, anything else as raw JSON text), or
 * NULL when absent. */
static inline char *member(const char *json, const char *key) {
    const char *p = json;
    size_t klen = strlen(key);
    if (p == NULL || *p != '{') return NULL;
    ++p;
    while (*p == '"') {
        const char *k = p + 1;
        const char *kend = k;
        const char *v;
        const char *vend;
        while (*kend && *kend != '"') kend += (*kend == '\\' && kend[1]) ? 2 : 1;
        if (*kend != '"' || kend[1] != ':') return NULL;
        v = kend + 2;
        vend = skip_value(v);
        if ((size_t)(kend - k) == klen && strncmp(k, key, klen) == 0) {
            size_t n;
            char *out;
            if (*v == '"') {
                ++v;
                --vend;
            }
            n = (size_t)(vend - v);
            out = malloc(n + 1);
            if (out == NULL) return NULL;
            memcpy(out, v, n);
            out[n] = '\0';
            return out;
        }
        p = vend;
        if (*p == ',') ++p;
    }
    return NULL;
}

/* member() of a member: path "party.id" style with one level of nesting. */
static inline char *member2(const char *json, const char *outer, const char *key) {
    char *o = member(json, outer);
    char *v = o ? member(o, key) : NULL;
    free(o);
    return v;
}

static inline long long member_int(const char *json, const char *key) {
    char *v = member(json, key);
    long long n = v ? strtoll(v, NULL, 10) : -999;
    free(v);
    return n;
}

/* Number of elements of the top-level array member `key`. */
static inline int count_items(const char *json, const char *key) {
    char *a = member(json, key);
    const char *p;
    int n = 0;
    if (a == NULL || a[0] != '[') {
        free(a);
        return -1;
    }
    p = a + 1;
    while (*p && *p != ']') {
        p = skip_value(p);
        ++n;
        if (*p == ',') ++p;
    }
    free(a);
    return n;
}

/* NULL-safe strstr() for checks on responses that may be missing. */
static inline int has(const char *text, const char *needle) {
    return text != NULL && strstr(text, needle) != NULL;
}

static inline int member_is(const char *json, const char *key, const char *want) {
    char *v = member(json, key);
    int same = v != NULL && strcmp(v, want) == 0;
    free(v);
    return same;
}

/* crm_execute() with a printf-style request; returns the status and leaves
 * the response (or NULL) in *out. */
static inline int exec(crm_engine *e, const char *method, char **out, const char *fmt, ...) {
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return crm_execute(e, method, buf, out);
}

/* Runs a command that must succeed and returns its response (caller frees). */
static inline char *must(crm_engine *e, const char *method, const char *fmt, ...) {
    char buf[4096];
    char *out = NULL;
    int rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    rc = crm_execute(e, method, buf, &out);
    if (rc != CRM_OK) {
        fprintf(stderr, "  FAIL %s %s -> %s: %s\n", method, buf, crm_status_name(rc),
                crm_error_last()->message);
        g_case_failed = 1;
    }
    return out;
}

static inline crm_engine *open_memory(int64_t now_ms) {
    crm_open_options opts = CRM_OPEN_OPTIONS_INIT;
    crm_engine *e = NULL;
    opts.fixed_now_ms = now_ms;
    if (crm_engine_open(&e, &opts) != CRM_OK) {
        fprintf(stderr, "  FAIL cannot open a memory engine: %s\n", crm_error_last()->message);
        g_case_failed = 1;
    }
    return e;
}

static inline void temp_db_path(char *buf, size_t n, const char *tag) {
    snprintf(buf, n, "%s/c_abi_%s_%ld.db", CRM_TEST_TMPDIR, tag, (long)getpid());
}

static inline void remove_db(const char *path) {
    char side[1200];
    remove(path);
    snprintf(side, sizeof side, "%s-wal", path);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", path);
    remove(side);
    snprintf(side, sizeof side, "%s-journal", path);
    remove(side);
}

/* 2024-03-20T10:00:00Z */
#define T0 INT64_C(1710928800000)
#define HOUR INT64_C(3600000)

#endif /* CRM_TEST_HARNESS_H */
