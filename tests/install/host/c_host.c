/* A C host built against the installed crmcore through pkg-config. */
#include <crm.h>
#include <stdio.h>

int main(void) {
    crm_engine *engine = NULL;
    crm_open_options opts = CRM_OPEN_OPTIONS_INIT;
    char *out = NULL;
    opts.database = "memory:";
    if (crm_engine_open(&engine, &opts) != CRM_OK) return 1;
    if (crm_execute(engine, "party.create", "{\"first_name\":\"Sara\"}", &out) != CRM_OK) return 1;
    printf("c_host: %s %s\n", crm_version(), out);
    crm_free(out);
    crm_engine_close(&engine);
    return engine == NULL ? 0 : 1;
}
