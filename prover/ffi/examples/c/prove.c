/*
 * A minimal C app on the zkcontrib C ABI: start (or resume) a session, push fixes as a GPS
 * would, report progress, finish, write the bundle and the opening.
 *
 *   prove KEYS_DIR SHAPE POLICY FIXES_CSV STATE BUNDLE OPENING [--cancel-after-first-chunk]
 *
 * FIXES_CSV: a header line, then `lat,lon,unix_ms` per line. If STATE exists the session is
 * resumed and the fixes are pushed from the saved count on. --cancel-after-first-chunk cancels
 * from the progress callback once a chunk is proven (as an app going to the background would)
 * and stops pushing. Exit codes: 0 finished, 3 cancelled (run again to resume), 1 error.
 *
 * Built and run by prover/ffi/tests/c_abi.rs (cargo test -p zkcontrib-ffi).
 */
#include "zkcontrib.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SUBMITTER "0x00000000000000000000000000000000000d3e40"

/* What the progress callback shares with the main thread: it runs on the proving thread. */
struct app {
    _Atomic(zkc_session *) session; /* set once started; the callback may run before */
    atomic_int events;
    atomic_int chunks_proven;
    atomic_int cancelled;
    int cancel_after_first_chunk;
};

static void on_progress(void *user, const zkc_progress *p) {
    struct app *app = user;
    atomic_fetch_add(&app->events, 1);
    if (p->kind == ZKC_PROGRESS_CHUNK_PROVEN) {
        atomic_fetch_add(&app->chunks_proven, 1);
        fprintf(stderr, "chunk %u proven in %.2f s%s\n", p->chunk, p->seconds,
                p->speculative ? " (while recording)" : "");
        zkc_session *s = atomic_load(&app->session);
        if (app->cancel_after_first_chunk && s != NULL) {
            zkc_session_cancel(s); /* allowed from the callback: takes no lock */
            atomic_store(&app->cancelled, 1);
        }
    }
}

static int fail(const char *what, zkc_error *err) {
    fprintf(stderr, "%s failed (code %d): %s\n", what, (int)err->code,
            err->message ? err->message : "");
    int rc = err->code == ZKC_CANCELLED ? 3 : 1;
    zkc_error_clear(err);
    return rc;
}

static zkc_fix *read_fixes(const char *path, size_t *n) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t cap = 1024;
    zkc_fix *v = malloc(cap * sizeof *v);
    char line[256];
    *n = 0;
    if (!v || !fgets(line, sizeof line, f)) { /* the header */
        fclose(f);
        free(v);
        return NULL;
    }
    double lat, lon;
    long long ms;
    while (fscanf(f, "%lf,%lf,%lld", &lat, &lon, &ms) == 3) {
        if (*n == cap) {
            zkc_fix *w = realloc(v, (cap *= 2) * sizeof *v);
            if (!w) break;
            v = w;
        }
        v[(*n)++] = (zkc_fix){.lat = lat, .lon = lon, .unix_ms = ms};
    }
    fclose(f);
    return v;
}

int main(int argc, char **argv) {
    if (argc < 8) {
        fprintf(stderr, "usage: prove KEYS_DIR SHAPE POLICY FIXES_CSV STATE BUNDLE OPENING "
                        "[--cancel-after-first-chunk]\n");
        return 1;
    }
    const char *keys = argv[1], *shape = argv[2], *policy = argv[3], *csv = argv[4],
               *state = argv[5], *bundle = argv[6], *opening = argv[7];
    struct app app = {.cancel_after_first_chunk =
                          argc > 8 && strcmp(argv[8], "--cancel-after-first-chunk") == 0};
    size_t n = 0;
    zkc_fix *fixes = read_fixes(csv, &n);
    if (!fixes) {
        fprintf(stderr, "cannot read %s\n", csv);
        return 1;
    }

    zkc_options options = zkc_options_default();
    options.threads = 1;
    options.progress = on_progress;
    options.progress_user = &app;

    zkc_error err = {0};
    int resuming = access(state, F_OK) == 0;
    zkc_session *s = resuming
        ? zkc_session_resume(keys, shape, policy, SUBMITTER, state, &options, &err)
        : zkc_session_start(keys, shape, policy, SUBMITTER, state, &options, &err);
    if (!s) {
        free(fixes);
        return fail(resuming ? "resume" : "start", &err);
    }
    atomic_store(&app.session, s);

    int rc = 0;
    zkc_status st;
    size_t pushed = 0, outside = 0;
    if (zkc_session_status(s, &st, &err) != ZKC_OK) {
        rc = fail("status", &err);
        goto done;
    }
    for (size_t i = st.points; i < n && !atomic_load(&app.cancelled); i++) {
        zkc_push_result r;
        char *violations = NULL;
        if (zkc_session_push(s, fixes[i].lat, fixes[i].lon, fixes[i].unix_ms, &r, &violations,
                             &err) != ZKC_OK) {
            rc = fail("push", &err);
            goto done;
        }
        if (r.broken) fprintf(stderr, "warning: %s\n", violations);
        zkc_string_free(violations);
        outside += r.outside;
        pushed++;
        /* To cancel at a known place: wait for the first chunk sent to proving. */
        while (app.cancel_after_first_chunk && !atomic_load(&app.cancelled)) {
            if (zkc_session_status(s, &st, &err) != ZKC_OK) {
                rc = fail("status", &err);
                goto done;
            }
            if (st.chunks_pending == 0) break;
            usleep(10 * 1000);
        }
    }
    if (zkc_session_status(s, &st, &err) != ZKC_OK) {
        rc = fail("status", &err);
        goto done;
    }
    printf("%s: pushed %zu (%zu outside), session has %llu points, %llu m\n",
           resuming ? "resumed" : "started", pushed, outside, (unsigned long long)st.points,
           (unsigned long long)st.distance_m);

    if (zkc_session_finish(s, bundle, opening, NULL, &err) != ZKC_OK) {
        rc = fail("finish", &err);
    } else {
        printf("finished: bundle %s\n", bundle);
    }
    printf("progress events: %d, chunks proven: %d\n", atomic_load(&app.events),
           atomic_load(&app.chunks_proven));
done:
    /* Also on errors: it saves what was pushed. The callback may still run (and cancel)
     * until the proving thread has stopped inside zkc_session_free. */
    zkc_session_free(s);
    free(fixes);
    return rc;
}
