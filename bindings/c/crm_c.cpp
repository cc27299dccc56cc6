// bindings/c/crm_c.cpp - the C ABI declared in bindings/c/include/crm.h,
// over crm::Engine and the command catalogue. Every extern "C" body runs
// inside guarded(): no exception and no C++ type crosses the boundary.
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_set>

// The build passes the project's version (project(VERSION) in CMake) as
// CRM_VERSION_STRING; crm.h carries its own copy. They must agree.
#ifdef CRM_VERSION_STRING
namespace {
constexpr std::string_view kProjectVersion = CRM_VERSION_STRING;
}
#define CRM_CHECK_PROJECT_VERSION 1
#undef CRM_VERSION_STRING
#endif

#include "crm.h"

#include "commands/catalogue.hpp"
#include "crm/core/limits.hpp"
#include "crm/core/time.hpp"
#include "crm/engine.hpp"

#ifdef CRM_CHECK_PROJECT_VERSION
static_assert(kProjectVersion == CRM_VERSION_STRING,
              "crm.h's CRM_VERSION_* macros differ from project(VERSION) in CMakeLists.txt");
#endif

// crm_status is the negation of crm::errc; ENOMEM has no errc of its own.
static_assert(CRM_EINVALID == -static_cast<int>(crm::errc::invalid_argument));
static_assert(CRM_ENOTFOUND == -static_cast<int>(crm::errc::not_found));
static_assert(CRM_ECONFLICT == -static_cast<int>(crm::errc::conflict));
static_assert(CRM_EINVALID_TRANSITION == -static_cast<int>(crm::errc::invalid_transition));
static_assert(CRM_EPERMISSION == -static_cast<int>(crm::errc::permission_denied));
static_assert(CRM_ESTORAGE == -static_cast<int>(crm::errc::storage));
static_assert(CRM_EPARSE == -static_cast<int>(crm::errc::parse));
static_assert(CRM_EUNSUPPORTED == -static_cast<int>(crm::errc::unsupported));
static_assert(CRM_EVERSION == -static_cast<int>(crm::errc::version_mismatch));
static_assert(CRM_EINTERNAL == -static_cast<int>(crm::errc::internal));
static_assert(CRM_ENOMEM == -static_cast<int>(crm::errc::out_of_memory));
static_assert(CRM_EMISUSE == -static_cast<int>(crm::errc::misuse));

// crm.h states the limits of crm/core/limits.hpp as macros.
static_assert(CRM_LIMIT_REQUEST_BYTES == crm::limits::request_bytes);
static_assert(CRM_LIMIT_JSON_DEPTH == crm::limits::json_depth);
static_assert(CRM_LIMIT_JSON_VALUES == crm::limits::json_values);
static_assert(CRM_LIMIT_SEARCH_WINDOW == crm::limits::search_window);
static_assert(CRM_LIMIT_EARLIEST_MS == crm::limits::earliest_ms);
static_assert(CRM_LIMIT_LATEST_MS == crm::limits::latest_ms);

struct crm_engine {
    std::unique_ptr<crm::Engine> engine;
    std::shared_ptr<crm::ManualClock> clock;  // set when opened with fixed_now_ms
};

namespace {

using crm::errc;
using crm::fail;

// ---- the per-thread last error -------------------------------------------

const crm_error kNoError = {CRM_OK, "no error", ""};
const crm_error kOutOfMemory = {CRM_ENOMEM, "out of memory", ""};

struct LastError {
    std::string message;
    std::string field;
    crm_error view{};
    const crm_error* current = &kNoError;
};

LastError& last_error() noexcept {
    thread_local LastError t;
    return t;
}

int out_of_memory() noexcept {
    last_error().current = &kOutOfMemory;
    return CRM_ENOMEM;
}

int set_error(int status, std::string_view message, std::string_view field) noexcept {
    LastError& t = last_error();
    try {
        t.message.assign(message);
        t.field.assign(field);
    } catch (...) {
        return out_of_memory();
    }
    t.view = crm_error{status, t.message.c_str(), t.field.c_str()};
    t.current = &t.view;
    return status;
}

int status_of(errc code) noexcept {
    const int c = static_cast<int>(code);
    return c >= static_cast<int>(errc::invalid_argument) && c <= static_cast<int>(errc::misuse)
               ? -c
               : CRM_EINTERNAL;
}

int report(const crm::error& e) noexcept {
    try {
        return set_error(status_of(e.code), e.what(), e.field);
    } catch (...) {
        return out_of_memory();
    }
}

int internal_failure(const char* what) noexcept {
    try {
        return set_error(CRM_EINTERNAL, std::string("unexpected C++ exception: ") + what, "");
    } catch (...) {
        return out_of_memory();
    }
}

// Runs `body` (returning crm::result<void>) and turns its outcome, or any
// exception, into a status and the thread's last error.
template <class F>
int guarded(F&& body) noexcept {
    try {
        crm::result<void> r = body();
        if (r) {
            last_error().current = &kNoError;
            return CRM_OK;
        }
        return report(r.error());
    } catch (const std::bad_alloc&) {
        return out_of_memory();
    } catch (const std::exception& e) {
        return internal_failure(e.what());
    } catch (...) {
        return set_error(CRM_EINTERNAL, "unexpected exception of unknown type", "");
    }
}

crm::error null_argument(std::string_view name) {
    return fail(errc::invalid_argument, "must not be NULL", std::string(name));
}

// ---- what the library handed out ------------------------------------------
// The open engines and the strings not yet freed, so that a closed or
// foreign handle and a second crm_free() are told apart from live ones
// without reading the memory they point to. A lookup is a shared lock and
// a hash probe: nothing next to parsing a request.

template <class T>
class LiveSet {
public:
    void add(const T* p) {
        std::unique_lock lock(mutex_);
        live_.insert(p);
    }
    bool contains(const T* p) const {
        std::shared_lock lock(mutex_);
        return live_.count(p) != 0;
    }
    // True when `p` was live (and is not any more).
    bool remove(const T* p) {
        std::unique_lock lock(mutex_);
        return live_.erase(p) != 0;
    }

private:
    mutable std::shared_mutex mutex_;
    std::unordered_set<const T*> live_;
};

LiveSet<crm_engine>& live_engines() {
    static LiveSet<crm_engine>* set = new LiveSet<crm_engine>();  // never destroyed: hosts may
    return *set;                                                   // close engines at exit
}

LiveSet<char>& live_strings() {
    static LiveSet<char>* set = new LiveSet<char>();
    return *set;
}

crm::error misuse_of_engine() {
    return fail(errc::misuse,
                "is not an open engine: it was closed, or never returned by crm_engine_open()",
                "engine");
}

// The engine behind a handle the caller passed: NULL and closed ones fail.
crm::result<crm_engine*> open_engine(crm_engine* engine) {
    if (!engine) return null_argument("engine");
    if (!live_engines().contains(engine)) return misuse_of_engine();
    return engine;
}

// A copy the caller frees with crm_free().
char* duplicate(const std::string& s) {
    char* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (!p) throw std::bad_alloc();
    std::memcpy(p, s.c_str(), s.size() + 1);
    try {
        live_strings().add(p);
    } catch (...) {
        std::free(p);
        throw;
    }
    return p;
}

std::string dump(const crm::commands::json& j) {
    return j.dump(-1, ' ', false, crm::commands::json::error_handler_t::replace);
}

// Runs a catalogue command with a request built here (typed entry points).
crm::result<std::string> run_command(crm_engine* engine, std::string_view method,
                                     crm::commands::json request) {
    const crm::commands::Command* command = crm::commands::find(method);
    if (!command) return fail(errc::internal, "the catalogue has no " + std::string(method));
    CRM_TRY(response, crm::commands::run(*engine->engine, *command, request));
    return dump(response);
}

// The bytes of each crm_open_options version, so that a caller compiled
// against an older header (a shorter struct) is never read or written past
// its end.
constexpr std::size_t kOptionsSize[] = {
    0,
    offsetof(crm_open_options, fixed_now_ms) + sizeof(int64_t),         // version 1
    offsetof(crm_open_options, file_directory_count) + sizeof(size_t),  // version 2
};
static_assert(sizeof(kOptionsSize) / sizeof(kOptionsSize[0]) == CRM_OPEN_OPTIONS_VERSION + 1);

crm::result<void> check_options_version(unsigned int version, const char* field) {
    if (version == 0)
        return fail(errc::invalid_argument, "is 0: initialise the options with "
                    "CRM_OPEN_OPTIONS_INIT or crm_open_options_init()", field);
    if (version > CRM_OPEN_OPTIONS_VERSION)
        return fail(errc::version_mismatch,
                    "is " + std::to_string(version) + "; this library knows options up to version " +
                        std::to_string(CRM_OPEN_OPTIONS_VERSION),
                    field);
    return crm::ok();
}

}  // namespace

extern "C" {

// ---- versions and status names -------------------------------------------

const char* crm_version(void) { return CRM_VERSION_STRING; }

int crm_version_number(void) { return CRM_VERSION_NUMBER; }

const char* crm_status_name(int status) {
    switch (status) {
        case CRM_OK: return "ok";
        case CRM_ENOMEM: return "out_of_memory";
        default:
            if (status < 0 && status >= CRM_EMISUSE)
                return crm::to_string(static_cast<errc>(-status));
            return "unknown";
    }
}

// ---- errors and memory -----------------------------------------------------

const crm_error* crm_error_last(void) { return last_error().current; }

void crm_error_clear(void) { last_error().current = &kNoError; }

void crm_free(void* ptr) {
    if (!ptr) return;
    if (live_strings().remove(static_cast<const char*>(ptr))) {
        std::free(ptr);
        return;
    }
    (void)set_error(CRM_EMISUSE,
                    "crm_free() was given a pointer the library did not return, or one "
                    "already freed; it was left alone",
                    "ptr");
}

// ---- engines ---------------------------------------------------------------

int crm_open_options_init(crm_open_options* opts, unsigned int version) {
    return guarded([&]() -> crm::result<void> {
        if (!opts) return null_argument("opts");
        CRM_TRYV(check_options_version(version, "version"));
        std::memset(static_cast<void*>(opts), 0, kOptionsSize[version]);
        opts->version = version;
        if (version >= 2) opts->busy_timeout_ms = 5000;  // as CRM_OPEN_OPTIONS_INIT
        return crm::ok();
    });
}

int crm_engine_open(crm_engine** out, const crm_open_options* opts) {
    return guarded([&]() -> crm::result<void> {
        if (!out) return null_argument("out");
        *out = nullptr;
        crm_open_options o = CRM_OPEN_OPTIONS_INIT;
        if (opts) {
            CRM_TRYV(check_options_version(opts->version, "opts.version"));
            std::memcpy(static_cast<void*>(&o), opts, kOptionsSize[opts->version]);
        }
        crm::EngineOptions options;
        if (o.database) options.database = o.database;
        if (o.default_region) options.default_region = o.default_region;
        if (o.fixed_now_ms < 0 || o.fixed_now_ms > crm::limits::latest_ms)
            return fail(errc::invalid_argument, "must be 0..CRM_LIMIT_LATEST_MS",
                        "opts.fixed_now_ms");
        if (o.version >= 2) {
            switch (o.mode) {
                case CRM_OPEN_CREATE: options.mode = crm::OpenMode::create; break;
                case CRM_OPEN_MUST_EXIST: options.mode = crm::OpenMode::must_exist; break;
                case CRM_OPEN_READ_ONLY: options.mode = crm::OpenMode::read_only; break;
                default:
                    return fail(errc::invalid_argument,
                                "must be CRM_OPEN_CREATE, CRM_OPEN_MUST_EXIST or CRM_OPEN_READ_ONLY",
                                "opts.mode");
            }
            options.busy_timeout_ms = o.busy_timeout_ms;
            if (o.file_directory_count > 0 && !o.file_directories)
                return null_argument("opts.file_directories");
            if (o.file_directory_count > 1000)
                return fail(errc::invalid_argument, "must be at most 1000",
                            "opts.file_directory_count");
            for (std::size_t i = 0; i < o.file_directory_count; ++i) {
                if (!o.file_directories[i])
                    return null_argument("opts.file_directories[" + std::to_string(i) + "]");
                options.file_directories.emplace_back(o.file_directories[i]);
            }
        }
        auto handle = std::make_unique<crm_engine>();
        if (o.fixed_now_ms > 0) {
            handle->clock = std::make_shared<crm::ManualClock>(crm::Timestamp{o.fixed_now_ms});
            options.clock = handle->clock;
        }
        auto engine = crm::Engine::open(std::move(options));
        if (!engine) {
            crm::error e = engine.error();
            for (std::string_view f : {"database", "default_region", "mode", "busy_timeout_ms",
                                       "file_directories"})
                if (e.field.rfind(f, 0) == 0) {
                    e.field = "opts." + e.field;
                    break;
                }
            return e;
        }
        handle->engine = std::move(engine.value());
        live_engines().add(handle.get());
        *out = handle.release();
        return crm::ok();
    });
}

void crm_engine_close(crm_engine** engine) {
    if (!engine || !*engine) return;
    if (!live_engines().remove(*engine)) {
        (void)set_error(CRM_EMISUSE, misuse_of_engine().message, "engine");
        *engine = nullptr;
        return;
    }
    try {
        delete *engine;
    } catch (...) {
        // A destructor that throws is a bug; the handle is gone either way.
    }
    *engine = nullptr;
}

// ---- commands --------------------------------------------------------------

int crm_execute(crm_engine* engine, const char* method, const char* request_json,
                char** out_response_json) {
    return guarded([&]() -> crm::result<void> {
        if (out_response_json) *out_response_json = nullptr;
        CRM_TRYV(open_engine(engine));
        if (!method) return null_argument("method");
        if (!out_response_json) return null_argument("out_response_json");
        CRM_TRY(response, crm::commands::execute(*engine->engine, method,
                                                 request_json ? request_json : "{}"));
        *out_response_json = duplicate(response);
        return crm::ok();
    });
}

int crm_commands(char** out_json) {
    return guarded([&]() -> crm::result<void> {
        if (!out_json) return null_argument("out_json");
        *out_json = nullptr;
        *out_json = duplicate(dump(crm::commands::describe()));
        return crm::ok();
    });
}

// ---- explicit transactions -------------------------------------------------

int crm_begin(crm_engine* engine) {
    return guarded([&]() -> crm::result<void> {
        CRM_TRYV(open_engine(engine));
        return engine->engine->begin();
    });
}

int crm_commit(crm_engine* engine) {
    return guarded([&]() -> crm::result<void> {
        CRM_TRYV(open_engine(engine));
        return engine->engine->commit();
    });
}

int crm_rollback(crm_engine* engine) {
    return guarded([&]() -> crm::result<void> {
        CRM_TRYV(open_engine(engine));
        return engine->engine->rollback();
    });
}

// ---- events ----------------------------------------------------------------

int crm_events_after(crm_engine* engine, int64_t cursor, int limit, char** out_json) {
    return guarded([&]() -> crm::result<void> {
        if (out_json) *out_json = nullptr;
        CRM_TRYV(open_engine(engine));
        if (!out_json) return null_argument("out_json");
        CRM_TRY(response, run_command(engine, "events.after", {{"cursor", cursor}, {"limit", limit}}));
        *out_json = duplicate(response);
        return crm::ok();
    });
}

int crm_events_ack(crm_engine* engine, const char* consumer, int64_t cursor) {
    return guarded([&]() -> crm::result<void> {
        CRM_TRYV(open_engine(engine));
        if (!consumer) return null_argument("consumer");
        CRM_TRY(response, run_command(engine, "events.ack",
                                      {{"consumer", std::string(consumer)}, {"cursor", cursor}}));
        (void)response;
        return crm::ok();
    });
}

// ---- clock -------------------------------------------------------------------

int crm_set_now(crm_engine* engine, int64_t ms) {
    return guarded([&]() -> crm::result<void> {
        CRM_TRYV(open_engine(engine));
        if (!engine->clock)
            return fail(errc::unsupported,
                        "the engine reads the system clock; open it with a non-zero fixed_now_ms "
                        "to set the time");
        if (ms < 0 || ms > crm::limits::latest_ms)
            return fail(errc::invalid_argument, "must be 0..CRM_LIMIT_LATEST_MS", "ms");
        engine->clock->set(crm::Timestamp{ms});
        return crm::ok();
    });
}

}  // extern "C"
