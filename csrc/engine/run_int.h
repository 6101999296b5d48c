/*
 * Internal: a run of a plan (atmo_build_run), shared by the files that make it:
 * run.c (the scheduler: which target starts when, the report and state),
 * process.c (engine processes: fork/exec, output, logs, stopping them) and
 * export.c (a built target's images exported and measured for its report entry).
 */
#ifndef ATMO_ENGINE_RUN_INT_H
#define ATMO_ENGINE_RUN_INT_H

#include <signal.h>
#include <sys/types.h>
#include <jansson.h>
#include "atmograph/build.h"
#include "engine/engine_int.h"
#include "util/buf.h"

enum { T_PENDING = 0, T_RUNNING, T_BUILT, T_CACHED, T_FAILED, T_SKIPPED };

typedef struct {
	plan_target *pt;
	int state;
	size_t step; /* index into the plan's steps while running */
	pid_t pid;
	int fd;
	int log_fd;
	char log_path[4600];
	double started;
	double duration;
	char inputs[65];
	char *digest;
	atmo_buf line; /* partial output line */
	json_t *entry; /* report entry */
	json_t *stage_digests;
} run_target;

typedef struct {
	const atmo_plan *p;
	atmo_build_options o;
	atmo_engine_options eo;
	run_target *rt;
	size_t n;
	char *engine_version;
	json_t *state; /* previous state: target -> entry */
	char out_dir[4096];
	char log_dir[4200];
	int oom; /* a report entry could not be completed: the run ends, ATMO_ENOMEM */
} runner;

/* run.c */
int atmo__mkdir_p(const char *path);
void atmo__run_emit(runner *r, atmo_build_event_kind kind, run_target *t, const char *stage,
		    const char *status, const char *step);
run_target *atmo__run_find(runner *r, size_t bake_index);
/* the "targets" object of the state file at path (a new reference): empty when
   the file is missing or does not parse; NULL when memory ran out */
json_t *atmo__run_load_state(const char *path);

/* process.c */
double atmo__run_now(void);
int atmo__run_capture(const char *const *argv, char **out, volatile sig_atomic_t *cancel);
char *atmo__run_image_id(runner *r, const char *ref);
void atmo__run_log_write(run_target *t, const char *s, size_t n);
void atmo__run_log_printf(run_target *t, const char *fmt, ...) ATMO_PRINTF(2, 3);
int atmo__run_start_step(runner *r, run_target *t);
void atmo__run_scan_output(runner *r, run_target *t, const char *data, size_t n);
void atmo__run_close_target(run_target *t);
void atmo__run_kill_all(runner *r);

/* export.c */
int atmo__run_finish_target(runner *r, run_target *t);

#endif
