/*
 * Engine processes of a run: each started with fork+exec (argv, never a shell)
 * in its own process group, its output read into the target's log and scanned
 * for "STEP n/m:" lines; short calls (--version, inspect) captured whole; on
 * cancellation every group stopped (SIGTERM, then SIGKILL).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "atmograph/build.h"
#include "engine/engine_int.h"
#include "engine/run_int.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

double atmo__run_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* start argv with stdout+stderr on a pipe; the child leads its own process group */
static pid_t spawn(const char *const *argv, int *out_fd)
{
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "atmograph: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(pfd[1]);
	*out_fd = pfd[0];
	return pid;
}

/* run argv to completion; its output in *out (may be NULL); returns exit status or -1.
 * *out is NULL when memory ran out: output cut short would read as another answer
 * (an image id lost is "no such image", and the target is rebuilt). */
int atmo__run_capture(const char *const *argv, char **out, volatile sig_atomic_t *cancel)
{
	int fd, status = 0, oom = 0;
	pid_t pid = spawn(argv, &fd);
	atmo_buf b = ATMO_BUF_INIT;
	char buf[8192];
	ssize_t r;

	if (out)
		*out = NULL;
	if (pid < 0)
		return -1;
	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r > 0) {
			/* after a failure the rest is read and dropped: the child must not block */
			oom |= !oom && atmo__buf_put(&b, buf, (size_t)r) < 0;
			continue;
		}
		if (r < 0 && errno == EINTR) {
			if (cancel && *cancel)
				kill(-pid, SIGTERM);
			continue;
		}
		break;
	}
	close(fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out && !oom)
		*out = b.ptr ? atmo__buf_detach(&b) : atmo__strdup("", NULL);
	atmo__buf_free(&b);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int atmo_engine_probe_version(char **out, const atmo_engine_options *eo_in, atmo_error *err)
{
	atmo_engine_options eo = *eo_in;
	const char *argv[3];
	char *text = NULL, *p, *q;
	int rc;

	atmo_error_clear(err);
	*out = NULL;
	atmo__engine_resolve(&eo);
	argv[0] = eo.program;
	argv[1] = "--version";
	argv[2] = NULL;
	rc = atmo__run_capture(argv, &text, NULL);
	if (rc == 0 && !text)
		return atmo__error_nomem(err);
	if (rc != 0) {
		atmo__free(text);
		return atmo__error_set(err, ATMO_EENGINE, NULL, 0, 0,
				       "'%s --version' failed: is %s installed?", eo.program,
				       atmo_engine_name(eo.kind));
	}
	/* "buildah version 1.28.2 (...)", "Docker version 24.0.5, build ...", "podman version 4.3.1" */
	for (p = text; *p && !(*p >= '0' && *p <= '9'); p++)
		;
	for (q = p; *q && ((*q >= '0' && *q <= '9') || *q == '.'); q++)
		;
	*out = atmo__strndup(p, (size_t)(q - p), err);
	atmo__free(text);
	if (!*out)
		return atmo__error_nomem(err);
	if (!**out) {
		atmo__free(*out);
		*out = atmo__strdup("unknown", err);
	}
	return *out ? 0 : atmo__error_nomem(err);
}

/* the engine's id for an image, or NULL when it does not exist (or, with
 * r->oom set, when memory ran out: not to be taken for a missing image) */
char *atmo__run_image_id(runner *r, const char *ref)
{
	atmo__strvec v = ATMO__STRVEC_INIT_COPY;
	char *out = NULL, *id;
	int rc;

	atmo__engine_global_args(&v, &r->eo);
	if (r->eo.kind == ATMO_ENGINE_BUILDAH) {
		atmo__strvec_push(&v, "inspect", NULL);
		atmo__strvec_push(&v, "--type", NULL);
		atmo__strvec_push(&v, "image", NULL);
		atmo__strvec_push(&v, "--format", NULL);
		atmo__strvec_push(&v, "{{.FromImageID}}", NULL);
	} else {
		atmo__strvec_push(&v, "image", NULL);
		atmo__strvec_push(&v, "inspect", NULL);
		atmo__strvec_push(&v, "--format", NULL);
		atmo__strvec_push(&v, "{{.Id}}", NULL);
	}
	atmo__strvec_push(&v, ref, NULL);
	if (v.oom) {
		atmo__strvec_free(&v);
		r->oom = 1;
		return NULL;
	}
	rc = atmo__run_capture((const char *const *)v.v, &out, r->o.cancel);
	atmo__strvec_free(&v);
	if (rc == 0 && !out)
		r->oom = 1;
	if (rc != 0 || !out) {
		atmo__free(out);
		return NULL;
	}
	/* an id that is not a digest counts as no image: it never reaches the state */
	id = atmo__digest_parse(out, strlen(out));
	atmo__free(out);
	return id;
}

void atmo__run_log_write(run_target *t, const char *s, size_t n)
{
	while (t->log_fd >= 0 && n) {
		ssize_t w = write(t->log_fd, s, n);
		if (w <= 0)
			break;
		s += w;
		n -= (size_t)w;
	}
}

void atmo__run_log_printf(run_target *t, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		atmo__run_log_write(t, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

int atmo__run_start_step(runner *r, run_target *t)
{
	const atmo_plan_step *s = atmo_plan_step_at(r->p, t->step);
	char *shown = atmo_argv_display(s->argv);

	atmo__run_log_printf(t, "atmograph: $ %s\n", shown ? shown : s->argv[0]);
	atmo__free(shown);
	atmo__buf_clear(&t->line);
	t->pid = spawn(s->argv, &t->fd);
	if (t->pid < 0) {
		atmo__run_log_printf(t, "atmograph: cannot start %s: %s\n", s->argv[0],
				     strerror(errno));
		return -1;
	}
	if (!strcmp(s->action, "push")) {
		char what[4200];
		snprintf(what, sizeof(what), "push %s", s->image);
		atmo__run_emit(r, ATMO_BUILD_EVENT_STEP, t, NULL, NULL, what);
		return 0;
	}
	atmo__run_emit(r, ATMO_BUILD_EVENT_STEP, t, s->stage, NULL, s->stage ? s->stage : "start");
	return 0;
}

void atmo__run_scan_output(runner *r, run_target *t, const char *data, size_t n)
{
	size_t i;
	const atmo_plan_step *s = atmo_plan_step_at(r->p, t->step);

	for (i = 0; i < n; i++) {
		if (data[i] == '\n' || data[i] == '\r') {
			const char *line = atmo__buf_cstr(&t->line);
			const char *step = strstr(line, "STEP ");
			if (step && step[5] >= '0' && step[5] <= '9')
				atmo__run_emit(r, ATMO_BUILD_EVENT_STEP, t, s->stage, NULL, line);
			else if (!strncmp(line, "#", 1) && strstr(line, "[") && strstr(line, "/"))
				atmo__run_emit(r, ATMO_BUILD_EVENT_STEP, t, s->stage, NULL, line);
			atmo__buf_clear(&t->line);
		} else if (t->line.len < 4096) {
			atmo__buf_putc(&t->line, data[i]);
		}
	}
}

void atmo__run_close_target(run_target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->log_fd >= 0)
		close(t->log_fd);
	t->log_fd = -1;
}

void atmo__run_kill_all(runner *r)
{
	size_t i;
	double deadline;
	int left;

	for (i = 0; i < r->n; i++)
		if (r->rt[i].state == T_RUNNING && r->rt[i].pid > 0)
			kill(-r->rt[i].pid, SIGTERM);
	deadline = atmo__run_now() + 5.0;
	do {
		left = 0;
		for (i = 0; i < r->n; i++) {
			run_target *t = &r->rt[i];
			if (t->state == T_RUNNING && t->pid > 0) {
				int st;
				pid_t w = waitpid(t->pid, &st, WNOHANG);
				if (w == t->pid || (w < 0 && errno == ECHILD)) {
					/* stragglers of the group */
					kill(-t->pid, SIGKILL);
					t->pid = -1;
				} else {
					left++;
				}
			}
		}
		if (left)
			usleep(50000);
	} while (left && atmo__run_now() < deadline);
	for (i = 0; i < r->n; i++) {
		run_target *t = &r->rt[i];
		if (t->state == T_RUNNING && t->pid > 0) {
			kill(-t->pid, SIGKILL);
			waitpid(t->pid, NULL, 0);
			t->pid = -1;
		}
		if (t->state == T_RUNNING) {
			atmo__run_log_printf(t, "atmograph: %s: cancelled\n", t->pt->t->name);
			atmo__run_close_target(t);
			t->state = T_FAILED;
		}
	}
}
