/*
 * atmo_render_queue: renders in a background thread of its own, numbered jobs,
 * results handed over once. The Sphinx extension queues each diagram's render
 * as it reads the page and takes the bytes when it writes the page; the thread
 * never touches the interpreter, so it costs the reading thread nothing but
 * the copy of the job.
 *
 * One list holds every job not yet taken, in submission order; `todo` points
 * at the first one the thread has not started. Jobs ahead of `todo` are
 * running or done; take() unlinks only done ones, so `todo` stays valid.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "atmograph/file.h"
#include "atmograph/render.h"
#include "util/alloc.h"
#include "util/error.h"
#include "render/options_int.h"

typedef struct rq_job {
	struct rq_job *prev, *next;
	uint64_t ticket;
	/* the input, owned */
	char *json;
	size_t json_len;
	atmo_render_options opts;
	char *strs[5]; /* rankdir, theme, link_base, id_prefix, detail: opts points at these */
	char *path;
	/* the result */
	int done;
	int rc;
	atmo_error err;
	char *data;
	size_t len;
} rq_job;

struct atmo_render_queue {
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job was queued, or stop */
	pthread_cond_t done; /* a job finished */
	rq_job *head, *tail, *todo;
	int running; /* the thread is rendering a job */
	int stop;
	uint64_t next_ticket;
	/* made by the thread (loading Graphviz's plugins there, not in the caller) */
	atmo_renderer *renderer;
	int renderer_rc;
	atmo_error renderer_err;
	pthread_t thread;
};

static void job_free(rq_job *j)
{
	size_t i;
	if (!j)
		return;
	atmo__free(j->json);
	for (i = 0; i < sizeof j->strs / sizeof j->strs[0]; i++)
		atmo__free(j->strs[i]);
	atmo__free(j->path);
	atmo__free(j->data);
	atmo__free(j);
}

static void job_render(atmo_render_queue *q, rq_job *j)
{
	atmo_error_clear(&j->err);
	if (q->renderer_rc < 0) {
		j->rc = q->renderer_rc;
		j->err = q->renderer_err;
	} else
		j->rc = atmo_render_text(&j->data, &j->len, q->renderer, j->json, j->json_len,
					 &j->opts, NULL, &j->err);
	if (j->rc == 0 && j->path)
		j->rc = atmo_file_write_atomic_flags(j->path, j->data, j->len, ATMO_WRITE_NO_SYNC,
						     &j->err);
	if (j->rc < 0) {
		atmo__free(j->data);
		j->data = NULL;
		j->len = 0;
	}
	/* the input is not needed any more */
	atmo__free(j->json);
	j->json = NULL;
}

static void *queue_thread(void *arg)
{
	atmo_render_queue *q = arg;
	atmo_error_clear(&q->renderer_err);
	q->renderer_rc = atmo_renderer_new(&q->renderer, &q->renderer_err);
	pthread_mutex_lock(&q->lock);
	for (;;) {
		rq_job *j = q->todo;
		if (q->stop)
			break; /* jobs not started are dropped by free */
		if (!j) {
			pthread_cond_wait(&q->work, &q->lock);
			continue;
		}
		q->todo = j->next;
		q->running = 1;
		pthread_mutex_unlock(&q->lock);
		job_render(q, j);
		pthread_mutex_lock(&q->lock);
		j->done = 1;
		q->running = 0;
		pthread_cond_broadcast(&q->done);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int atmo_render_queue_new(atmo_render_queue **out, atmo_error *err)
{
	atmo_render_queue *q;
	atmo_error_clear(err);
	*out = NULL;
	if (!(q = atmo__calloc(1, sizeof *q, err)))
		return ATMO_ENOMEM;
	q->next_ticket = 1;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->done, NULL);
	if (pthread_create(&q->thread, NULL, queue_thread, q) != 0) {
		pthread_cond_destroy(&q->done);
		pthread_cond_destroy(&q->work);
		pthread_mutex_destroy(&q->lock);
		atmo__free(q);
		return atmo__error_set(err, ATMO_ERROR, NULL, 0, 0,
				       "cannot start the render thread");
	}
	*out = q;
	return 0;
}

/* A copy of an option string into the job (NULL stays NULL). */
static int own(rq_job *j, int slot, const char **field, atmo_error *err)
{
	if (!*field)
		return 0;
	if (!(j->strs[slot] = atmo__strdup(*field, err)))
		return ATMO_ENOMEM;
	*field = j->strs[slot];
	return 0;
}

int atmo_render_queue_submit(atmo_render_queue *q, uint64_t *ticket, const char *json,
			     size_t json_len, const atmo_render_options *opts, const char *path,
			     atmo_error *err)
{
	rq_job *j;
	int rc;

	atmo_error_clear(err);
	*ticket = 0;
	/* a bad option is the caller's error now, not a job's later */
	if (opts && (rc = atmo_render_options_check(opts, err)) < 0)
		return rc;
	if (!(j = atmo__calloc(1, sizeof *j, err)))
		return ATMO_ENOMEM;
	atmo__render_options_norm(&j->opts, opts);
	if (!(j->json = atmo__malloc(json_len + 1, err)))
		goto nomem;
	memcpy(j->json, json, json_len);
	j->json[json_len] = '\0';
	j->json_len = json_len;
	if (own(j, 0, &j->opts.rankdir, err) < 0 || own(j, 1, &j->opts.theme, err) < 0 ||
	    own(j, 2, &j->opts.link_base, err) < 0 || own(j, 3, &j->opts.id_prefix, err) < 0 ||
	    own(j, 4, &j->opts.detail, err) < 0)
		goto nomem;
	if (path && !(j->path = atmo__strdup(path, err)))
		goto nomem;

	pthread_mutex_lock(&q->lock);
	j->ticket = q->next_ticket++;
	j->prev = q->tail;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	if (!q->todo)
		q->todo = j;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
	*ticket = j->ticket;
	return 0;
nomem:
	job_free(j);
	return ATMO_ENOMEM;
}

static void unlink_job(atmo_render_queue *q, rq_job *j)
{
	if (j->prev)
		j->prev->next = j->next;
	else
		q->head = j->next;
	if (j->next)
		j->next->prev = j->prev;
	else
		q->tail = j->prev;
}

int atmo_render_queue_take(atmo_render_queue *q, uint64_t ticket, char **data, size_t *len,
			   atmo_error *err)
{
	rq_job *j;
	int rc;

	atmo_error_clear(err);
	*data = NULL;
	*len = 0;
	pthread_mutex_lock(&q->lock);
	for (j = q->head; j && j->ticket != ticket; j = j->next)
		;
	if (!j) {
		pthread_mutex_unlock(&q->lock);
		return atmo__error_set(err, ATMO_ENOTFOUND, NULL, 0, 0,
				       "no render job %llu in the queue (never queued, or taken)",
				       (unsigned long long)ticket);
	}
	while (!j->done)
		pthread_cond_wait(&q->done, &q->lock);
	unlink_job(q, j);
	pthread_mutex_unlock(&q->lock);
	rc = j->rc;
	if (rc < 0) {
		if (err)
			*err = j->err;
	} else {
		*data = j->data;
		*len = j->len;
		j->data = NULL;
	}
	job_free(j);
	return rc;
}

void atmo_render_queue_wait(atmo_render_queue *q)
{
	pthread_mutex_lock(&q->lock);
	while (q->todo || q->running)
		pthread_cond_wait(&q->done, &q->lock);
	pthread_mutex_unlock(&q->lock);
}

void atmo_render_queue_free(atmo_render_queue *q)
{
	rq_job *j, *next;
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stop = 1;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL); /* after the job being rendered */
	for (j = q->head; j; j = next) {
		next = j->next;
		job_free(j);
	}
	pthread_cond_destroy(&q->done);
	pthread_cond_destroy(&q->work);
	pthread_mutex_destroy(&q->lock);
	atmo_renderer_free(q->renderer);
	atmo__free(q);
}
