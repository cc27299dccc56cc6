/*
 * examples/erp_host.c - an ERP written in C keeps its customers in crmcore.
 *
 * Plain C99 against crm.h only: opens an SQLite file (the first argument,
 * "erp_demo.db" by default), upserts the ERP's customers by their ERP keys,
 * records their orders and the calls the call centre logged, prints one
 * customer's 360 view, searches by a phone number as a clerk would type it,
 * then consumes the outbox of events and acknowledges what it handled.
 *
 * Run it twice: the second run finds every customer "unchanged", every
 * order "unchanged", every call already logged, and no new events - writes
 * keyed by the host's ids are idempotent.
 *
 *   cc -std=c99 erp_host.c -lcrmcore -o erp_host && ./erp_host erp_demo.db
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

/* ---- a little JSON reading ----------------------------------------------
 * A real host reads responses with its JSON library (cJSON, Jansson...);
 * this example needs only a few top-level members, so it carries its own
 * minimal reader for the library's compact output. */

static const char *skip_value(const char *p) {
    int depth = 0;
    do {
        if (*p == '"') {
            for (++p; *p && *p != '"'; ++p)
                if (*p == '\\' && p[1]) ++p;
            if (*p) ++p;
        } else if (*p == '{' || *p == '[') {
            ++depth, ++p;
        } else if (*p == '}' || *p == ']') {
            --depth, ++p;
        } else if (depth == 0) {
            while (*p && *p != ',' && *p != '}' && *p != ']') ++p;
        } else {
            ++p;
        }
    } while (*p && depth > 0);
    return p;
}

/* Copies the top-level member `key` of the object `json` into buf (strings
 * without their quotes); returns buf, or NULL when absent. */
static char *member(const char *json, const char *key, char *buf, size_t size) {
    const char *p = json;
    const size_t klen = strlen(key);
    if (p == NULL || *p++ != '{') return NULL;
    while (*p == '"') {
        const char *k = p + 1, *kend = k, *v, *end;
        while (*kend && *kend != '"') kend += (*kend == '\\' && kend[1]) ? 2 : 1;
        if (*kend != '"' || kend[1] != ':') return NULL;
        v = kend + 2;
        end = skip_value(v);
        if ((size_t)(kend - k) == klen && strncmp(k, key, klen) == 0) {
            size_t n;
            if (*v == '"') ++v, --end;
            n = (size_t)(end - v) < size - 1 ? (size_t)(end - v) : size - 1;
            memcpy(buf, v, n);
            buf[n] = '\0';
            return buf;
        }
        p = end;
        if (*p == ',') ++p;
    }
    return NULL;
}

/* Calls each element of the array member `key` of `json` with its text. */
static void each_item(const char *json, const char *key, void (*fn)(const char *item, void *ctx),
                      void *ctx) {
    char *list = malloc(strlen(json) + 1);
    const char *p;
    if (list == NULL || member(json, key, list, strlen(json) + 1) == NULL || list[0] != '[') {
        free(list);
        return;
    }
    for (p = list + 1; *p && *p != ']';) {
        const char *end = skip_value(p);
        char *item = malloc((size_t)(end - p) + 1);
        if (item != NULL) {
            memcpy(item, p, (size_t)(end - p));
            item[end - p] = '\0';
            fn(item, ctx);
            free(item);
        }
        p = *end == ',' ? end + 1 : end;
    }
    free(list);
}

/* ---- talking to the CRM --------------------------------------------------- */

static int report(const char *what) {
    const crm_error *e = crm_error_last();
    fprintf(stderr, "erp_host: %s failed: %s (%s)\n", what, e->message, crm_status_name(e->status));
    return 0;
}

/* Runs one command; the response (or NULL on failure, reported) is the
 * caller's to crm_free(). */
static char *run(crm_engine *crm, const char *method, const char *request) {
    char *response = NULL;
    if (crm_execute(crm, method, request, &response) != CRM_OK) report(method);
    return response;
}

/* The ERP's own data, as it would come out of its tables. */
struct customer {
    const char *code, *kind, *first, *last, *company, *phone, *email, *city;
};
static const struct customer kCustomers[] = {
    {"C-1001", "person", "علی", "رضایی", NULL, "0912 123 4567", "ali.rezaei@example.ir", "تهران"},
    {"C-1002", "person", "Sara", "Ahmadi", NULL, "+98 935 765 4321", NULL, "Shiraz"},
    {"C-1003", "organization", NULL, NULL, "پخش البرز", "021-8888-1234", "info@alborz.example",
     "کرج"},
};

struct order {
    const char *customer, *order_id, *date;
    long long rials;
};
static const struct order kOrders[] = {
    {"C-1001", "SO-5001", "2024-03-02", 12500000},
    {"C-1001", "SO-5017", "2024-03-18", 4800000},
    {"C-1003", "SO-5020", "2024-03-19", 310000000},
};

static int upsert_customers(crm_engine *crm, char ids[][40]) {
    size_t i;
    char request[1024], outcome[32];
    for (i = 0; i < sizeof kCustomers / sizeof kCustomers[0]; ++i) {
        const struct customer *c = &kCustomers[i];
        char *response, *party;
        int n = snprintf(request, sizeof request, "{\"external_id\":\"%s\",\"kind\":\"%s\"", c->code,
                         c->kind);
        if (c->first) n += snprintf(request + n, sizeof request - n, ",\"first_name\":\"%s\"", c->first);
        if (c->last) n += snprintf(request + n, sizeof request - n, ",\"last_name\":\"%s\"", c->last);
        if (c->company)
            n += snprintf(request + n, sizeof request - n, ",\"organization_name\":\"%s\"", c->company);
        n += snprintf(request + n, sizeof request - n,
                      ",\"city\":\"%s\",\"contacts\":[{\"kind\":\"phone\",\"value\":\"%s\"}", c->city,
                      c->phone);
        if (c->email)
            n += snprintf(request + n, sizeof request - n, ",{\"kind\":\"email\",\"value\":\"%s\"}",
                          c->email);
        snprintf(request + n, sizeof request - n, "],\"context\":{\"actor\":\"erp-sync\",\"source\":\"erp\"}}");

        response = run(crm, "party.upsert", request);
        if (response == NULL) return 0;
        party = malloc(strlen(response) + 1);
        if (party == NULL || !member(response, "party", party, strlen(response) + 1) ||
            !member(party, "id", ids[i], 40)) {
            free(party);
            crm_free(response);
            return 0;
        }
        printf("customer %s %s (%s)\n", c->code, member(response, "outcome", outcome, sizeof outcome),
               ids[i]);
        free(party);
        crm_free(response);
    }
    return 1;
}

static const char *id_of(const char *code, char ids[][40]) {
    size_t i;
    for (i = 0; i < sizeof kCustomers / sizeof kCustomers[0]; ++i)
        if (strcmp(kCustomers[i].code, code) == 0) return ids[i];
    return NULL;
}

static int record_orders(crm_engine *crm, char ids[][40]) {
    size_t i;
    char request[512], outcome[32];
    for (i = 0; i < sizeof kOrders / sizeof kOrders[0]; ++i) {
        const struct order *o = &kOrders[i];
        char *response;
        /* Rials have two minor-unit digits in ISO 4217: 12,500,000 rials is 1,250,000,000. */
        snprintf(request, sizeof request,
                 "{\"party\":\"%s\",\"order_id\":\"%s\",\"ordered_at\":\"%s\","
                 "\"total\":{\"minor\":%lld,\"currency\":\"IRR\"},\"context\":{\"actor\":\"erp-sync\"}}",
                 id_of(o->customer, ids), o->order_id, o->date, o->rials * 100);
        response = run(crm, "purchase.record", request);
        if (response == NULL) return 0;
        printf("order %s %s\n", o->order_id, member(response, "outcome", outcome, sizeof outcome));
        crm_free(response);
    }
    return 1;
}

static int log_calls(crm_engine *crm, char ids[][40]) {
    char request[512];
    char *response;
    /* The call centre's own call id makes logging the same call again a no-op. */
    snprintf(request, sizeof request,
             "{\"party\":\"%s\",\"channel\":\"call\",\"direction\":\"inbound\","
             "\"at\":\"2024-03-19T08:30:00Z\",\"subject\":\"پیگیری سفارش SO-5017\","
             "\"duration_s\":240,\"outcome\":\"answered\",\"external_id\":\"CALL-77001\","
             "\"context\":{\"actor\":\"call-center\",\"source\":\"pbx\"}}",
             ids[0]);
    response = run(crm, "interaction.log", request);
    if (response == NULL) return 0;
    crm_free(response);
    snprintf(request, sizeof request,
             "{\"party\":\"%s\",\"kind\":\"call\",\"subject\":\"Call back about delivery\","
             "\"due\":\"2024-03-21T09:00:00Z\",\"assignee\":\"sales.sara\"}",
             ids[0]);
    /* Scheduling is not keyed, so only the first run schedules the call-back. */
    response = run(crm, "activity.due_by",
                   "{\"assignee\":\"sales.sara\",\"until\":\"2100-01-01\",\"limit\":100}");
    if (response == NULL) return 0;
    if (strstr(response, "Call back about delivery") == NULL) {
        char *scheduled = run(crm, "activity.schedule", request);
        if (scheduled == NULL) {
            crm_free(response);
            return 0;
        }
        crm_free(scheduled);
    }
    crm_free(response);
    return 1;
}

static void print_hit(const char *hit, void *ctx) {
    char name[256], matched[64], code[64];
    (void)ctx;
    printf("  %s %s (matched by %s)\n", member(hit, "external_id", code, sizeof code),
           member(hit, "display_name", name, sizeof name), member(hit, "matched", matched, sizeof matched));
}

static void print_event(const char *event, void *count) {
    char seq[32], type[64];
    printf("  event %s %s\n", member(event, "seq", seq, sizeof seq), member(event, "type", type, sizeof type));
    ++*(int *)count;
}

/* Reads every event after this host's last acknowledged cursor, a page at a
 * time, "handles" each (prints it), then acknowledges the last one. */
static int consume_events(crm_engine *crm) {
    char cursor[32] = "0";
    char *response = run(crm, "events.cursor", "{\"consumer\":\"erp-demo\"}");
    int handled = 0;
    if (response == NULL || member(response, "cursor", cursor, sizeof cursor) == NULL) {
        crm_free(response);
        return 0;
    }
    crm_free(response);
    for (;;) {
        char *page = NULL;
        char next[32];
        int before = handled;
        if (crm_events_after(crm, strtoll(cursor, NULL, 10), 50, &page) != CRM_OK)
            return report("crm_events_after");
        each_item(page, "items", print_event, &handled);
        member(page, "cursor", next, sizeof next);
        crm_free(page);
        if (handled == before) break;
        /* A real host acknowledges only after its own transaction committed. */
        if (crm_events_ack(crm, "erp-demo", strtoll(next, NULL, 10)) != CRM_OK)
            return report("crm_events_ack");
        strcpy(cursor, next);
    }
    printf("%d new events handled; erp-demo acknowledged up to %s\n", handled, cursor);
    return 1;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "erp_demo.db";
    char database[1024];
    char ids[sizeof kCustomers / sizeof kCustomers[0]][40];
    crm_open_options opts = CRM_OPEN_OPTIONS_INIT;
    crm_engine *crm = NULL;
    char *response = NULL;
    int ok = 1;

    printf("crmcore %s (built against crm.h %s)\n", crm_version(), CRM_VERSION_STRING);
    snprintf(database, sizeof database, "sqlite:%s", path);
    opts.database = database;
    if (crm_engine_open(&crm, &opts) != CRM_OK) {
        report("crm_engine_open");
        return 1;
    }

    /* The nightly sync: customers and orders in one transaction. */
    if (crm_begin(crm) != CRM_OK) {
        report("crm_begin");
        crm_engine_close(&crm);
        return 1;
    }
    ok = upsert_customers(crm, ids) && record_orders(crm, ids);
    if (ok ? crm_commit(crm) != CRM_OK : crm_rollback(crm) != CRM_OK) ok = report("commit/rollback");

    ok = ok && log_calls(crm, ids);

    if (ok) {
        char request[128];
        snprintf(request, sizeof request, "{\"party\":\"%s\",\"recent_interactions\":5}", ids[0]);
        response = run(crm, "customer.view", request);
        ok = response != NULL;
        if (ok) printf("360 view of C-1001:\n  %s\n", response);
        crm_free(response);
    }
    if (ok) {
        /* A clerk types the number the way the customer said it. */
        response = run(crm, "search", "{\"text\":\"۰۹۱۲-۱۲۳-۴۵۶۷\"}");
        ok = response != NULL;
        if (ok) {
            printf("search for ۰۹۱۲-۱۲۳-۴۵۶۷:\n");
            each_item(response, "items", print_hit, NULL);
        }
        crm_free(response);
    }
    ok = ok && consume_events(crm);

    crm_engine_close(&crm);
    return ok ? 0 : 1;
}
