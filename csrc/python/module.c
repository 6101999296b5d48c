/*
 * atmograph._core: the CPython extension over libatmograph.
 *
 * Nothing but argument conversion, error mapping and GIL handling: every
 * result is the library's JSON document (json_t) converted to dicts and lists
 * directly (no JSON text round trip). Multi-phase init (PEP 489) with module
 * state: the exception classes and one atmo_renderer per module.
 *
 * The module links libatmograph normally (the static archive built by make, or
 * the library sources compiled into the extension by `pip install .`).
 */
#include "python/module_int.h"

#include <string.h>

#include <unistd.h>
#include "atmograph/atmograph.h"
#include "atmograph/dockerfile.h"
#include "atmograph/render.h"
#include "atmograph/graph.h"
#include "atmograph/image.h"
#include "atmograph/bake.h"
#include "atmograph/build.h"
#include "atmograph/file.h"
#include "util/json_nomem.h"

/* ---- module state ---------------------------------------------------------- */

enum {
	EXC_ERROR,
	EXC_INVALID,
	EXC_NOTFOUND,
	EXC_IO,
	EXC_UNSUPPORTED,
	EXC_IMAGE,
	EXC_VERIFY,
	EXC_CANCELLED,
	EXC_ENGINE,
	EXC_LIMIT,
	/* what image calls raise: ImageError and the class of the code */
	EXC_IMAGE_INVALID,
	EXC_IMAGE_NOTFOUND,
	EXC_IMAGE_IO,
	EXC_IMAGE_UNSUPPORTED,
	EXC_IMAGE_LIMIT,
	EXC_COUNT
};

static const struct {
	const char *name; /* "atmograph.X" */
	int base;         /* index of the base class, -1: Exception */
	const char *doc;
	int base2; /* a second base class, -1: none */
} exc_specs[EXC_COUNT] = {
	{ "atmograph.Error", -1,
	  "Base class of atmograph errors (filename, line, column, code, text).", -1 },
	{ "atmograph.InvalidInputError", EXC_ERROR,
	  "Invalid input: a syntax error, a bad value (ATMO_EINVALID).", -1 },
	{ "atmograph.NotFoundError", EXC_ERROR,
	  "A file, stage, target or image was not found (ATMO_ENOTFOUND).", -1 },
	{ "atmograph.ReadError", EXC_ERROR, "Reading or writing failed (ATMO_EIO).", -1 },
	{ "atmograph.UnsupportedError", EXC_ERROR,
	  "Valid input atmograph does not handle (ATMO_EUNSUPPORTED).", -1 },
	{ "atmograph.ImageError", EXC_ERROR, "An image archive could not be used.", -1 },
	{ "atmograph.VerifyError", EXC_IMAGE,
	  "A digest or size did not match the content (ATMO_EVERIFY).", -1 },
	{ "atmograph.CancelledError", EXC_ERROR,
	  "Stopped by a signal or a callback (ATMO_ECANCELLED).", -1 },
	{ "atmograph.EngineError", EXC_ERROR, "An external build engine failed (ATMO_EENGINE).",
	  -1 },
	{ "atmograph.LimitError", EXC_ERROR, "An input exceeded a safety limit (ATMO_ELIMIT).",
	  -1 },
	{ "atmograph.InvalidImageError", EXC_IMAGE,
	  "A broken image: bad JSON, truncated archive, unsafe names.", EXC_INVALID },
	{ "atmograph.ImageNotFoundError", EXC_IMAGE, "No such image file, blob or reference.",
	  EXC_NOTFOUND },
	{ "atmograph.ImageReadError", EXC_IMAGE, "Reading an image failed.", EXC_IO },
	{ "atmograph.UnsupportedImageError", EXC_IMAGE, "An image format atmograph does not read.",
	  EXC_UNSUPPORTED },
	{ "atmograph.ImageLimitError", EXC_IMAGE, "An image exceeded a safety limit.", EXC_LIMIT },
};

typedef struct {
	PyObject *exc[EXC_COUNT];
	atmo_renderer *renderer;  /* made on first use (get_renderer) */
	PyThread_type_lock lock;  /* held while the renderer is being made */
	atmo_render_queue *queue; /* the module's render queue, made by the first render_submit */
	long queue_pid;           /* the process that made it (its thread is not in a fork) */
} core_state;

static core_state *get_state(PyObject *module)
{
	return (core_state *)PyModule_GetState(module);
}

/* ---- errors ------------------------------------------------------------------- */

/*
 * The one place that maps ATMO_E* codes to exception classes. Sets the
 * exception (with filename, line, column, code, text) and returns NULL.
 */
static PyObject *raise_error_as(PyObject *module, int code, const atmo_error *err, int image)
{
	core_state *st = get_state(module);
	PyObject *cls, *exc = NULL, *v;
	char msg[1024];
	int idx;

	switch (code) {
	case ATMO_ENOMEM:
		return PyErr_NoMemory();
	case ATMO_EINVALID:
		idx = EXC_INVALID;
		break;
	case ATMO_ENOTFOUND:
		idx = EXC_NOTFOUND;
		break;
	case ATMO_EIO:
		idx = EXC_IO;
		break;
	case ATMO_EUNSUPPORTED:
		idx = EXC_UNSUPPORTED;
		break;
	case ATMO_EVERIFY:
		idx = EXC_VERIFY;
		break;
	case ATMO_ECANCELLED:
		idx = EXC_CANCELLED;
		break;
	case ATMO_EENGINE:
		idx = EXC_ENGINE;
		break;
	case ATMO_ELIMIT:
		idx = EXC_LIMIT;
		break;
	default:
		idx = EXC_ERROR;
		break;
	}
	if (image) {
		switch (idx) {
		case EXC_INVALID:
			idx = EXC_IMAGE_INVALID;
			break;
		case EXC_NOTFOUND:
			idx = EXC_IMAGE_NOTFOUND;
			break;
		case EXC_IO:
			idx = EXC_IMAGE_IO;
			break;
		case EXC_UNSUPPORTED:
			idx = EXC_IMAGE_UNSUPPORTED;
			break;
		case EXC_LIMIT:
			idx = EXC_IMAGE_LIMIT;
			break;
		case EXC_ERROR:
			idx = EXC_IMAGE;
			break;
		default:
			break;
		}
	}
	cls = st->exc[idx];
	if (err && err->code)
		atmo_error_format(err, msg, sizeof msg);
	else
		snprintf(msg, sizeof msg, "%s", atmo_strerror(code));
	exc = PyObject_CallFunction(cls, "s", msg);
	if (!exc)
		return NULL;
#define SETATTR(name, expr)                                                                        \
	do {                                                                                       \
		v = (expr);                                                                        \
		if (!v || PyObject_SetAttrString(exc, name, v) < 0) {                              \
			Py_XDECREF(v);                                                             \
			Py_DECREF(exc);                                                            \
			return NULL;                                                               \
		}                                                                                  \
		Py_DECREF(v);                                                                      \
	} while (0)
	if (err && err->source[0])
		SETATTR("filename", PyUnicode_DecodeFSDefault(err->source));
	else
		SETATTR("filename", Py_NewRef(Py_None));
	SETATTR("line", PyLong_FromLong(err ? err->line : 0));
	SETATTR("column", PyLong_FromLong(err ? err->column : 0));
	SETATTR("code", PyLong_FromLong(code));
	SETATTR("reason", PyUnicode_FromString(atmo_strerror(code)));
	SETATTR("text",
		PyUnicode_DecodeUTF8(
			err && err->text[0] ? err->text : atmo_strerror(code),
			(Py_ssize_t)strlen(err && err->text[0] ? err->text : atmo_strerror(code)),
			"replace"));
#undef SETATTR
	PyErr_SetObject(cls, exc);
	Py_DECREF(exc);
	return NULL;
}

PyObject *atmo_py_raise_error(PyObject *module, int code, const atmo_error *err)
{
	return raise_error_as(module, code, err, 0);
}

/* Errors of image calls are ImageError too (InvalidImageError is an InvalidInputError, ...). */
PyObject *atmo_py_raise_image_error(PyObject *module, int code, const atmo_error *err)
{
	return raise_error_as(module, code, err, 1);
}

/* ---- argument helpers --------------------------------------------------------------- */

/* Text from str (UTF-8) or bytes; the object must stay alive while text is used.
 * Both are immutable, so the GIL may be released while the text is read. */
int atmo_py_get_text(PyObject *o, const char **text, Py_ssize_t *len, const char *what)
{
	if (PyUnicode_Check(o)) {
		*text = PyUnicode_AsUTF8AndSize(o, len);
		return *text ? 0 : -1;
	}
	if (PyBytes_Check(o)) {
		*text = PyBytes_AS_STRING(o);
		*len = PyBytes_GET_SIZE(o);
		return 0;
	}
	PyErr_Format(PyExc_TypeError, "%s must be str or bytes, not %.100s", what,
		     Py_TYPE(o)->tp_name);
	return -1;
}

/* A path argument: str, bytes or os.PathLike, as a new bytes object (or NULL). */
PyObject *atmo_py_get_path(PyObject *o)
{
	PyObject *res = NULL;
	if (!PyUnicode_FSConverter(o, &res))
		return NULL;
	return res;
}

void atmo_py_strlist_free(atmo_py_strlist *l)
{
	Py_CLEAR(l->keep);
	PyMem_Free((void *)l->items);
	l->items = NULL;
	l->count = 0;
}

int atmo_py_strlist_add(atmo_py_strlist *l, PyObject *s)
{
	PyObject *b;
	if (!PyUnicode_Check(s)) {
		PyErr_Format(PyExc_TypeError, "expected str, not %.100s", Py_TYPE(s)->tp_name);
		return -1;
	}
	b = PyUnicode_AsUTF8String(s);
	if (!b)
		return -1;
	if (PyList_Append(l->keep, b) < 0) {
		Py_DECREF(b);
		return -1;
	}
	Py_DECREF(b);
	return 0;
}

int atmo_py_strlist_from(atmo_py_strlist *l, PyObject *o, const char *what)
{
	Py_ssize_t i;
	memset(l, 0, sizeof *l);
	if (o == NULL || o == Py_None)
		return 0;
	l->keep = PyList_New(0);
	if (!l->keep)
		return -1;
	if (PyDict_Check(o)) {
		PyObject *k, *v;
		Py_ssize_t pos = 0;
		while (PyDict_Next(o, &pos, &k, &v)) {
			PyObject *kv, *vs = PyObject_Str(v);
			if (!vs)
				goto fail;
			if (!PyUnicode_Check(k)) {
				Py_DECREF(vs);
				PyErr_Format(PyExc_TypeError, "%s: keys must be str", what);
				goto fail;
			}
			kv = PyUnicode_FromFormat("%U=%U", k, vs);
			Py_DECREF(vs);
			if (!kv || atmo_py_strlist_add(l, kv) < 0) {
				Py_XDECREF(kv);
				goto fail;
			}
			Py_DECREF(kv);
		}
	} else if (PyUnicode_Check(o) || PyBytes_Check(o)) {
		PyErr_Format(PyExc_TypeError, "%s must be a dict or a list of 'K=V' strings", what);
		goto fail;
	} else {
		PyObject *seq;
		if (!PySequence_Check(o)) {
			PyErr_Format(PyExc_TypeError,
				     "%s must be a dict or a list of 'K=V' strings, not %.100s",
				     what, Py_TYPE(o)->tp_name);
			goto fail;
		}
		seq = PySequence_Fast(o, "expected a dict or a sequence of 'K=V' strings");
		if (!seq)
			goto fail;
		for (i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
			PyObject *it = PySequence_Fast_GET_ITEM(seq, i);
			if (!PyUnicode_Check(it)) {
				Py_DECREF(seq);
				PyErr_Format(PyExc_TypeError,
					     "%s: items must be 'K=V' strings, not %.100s", what,
					     Py_TYPE(it)->tp_name);
				goto fail;
			}
			if (PyUnicode_FindChar(it, '=', 0, PyUnicode_GET_LENGTH(it), 1) < 0) {
				Py_DECREF(seq);
				PyErr_Format(PyExc_ValueError, "%s: expected 'K=V' strings", what);
				goto fail;
			}
			if (atmo_py_strlist_add(l, it) < 0) {
				Py_DECREF(seq);
				goto fail;
			}
		}
		Py_DECREF(seq);
	}
	if (atmo_py_strlist_finish(l) < 0)
		goto fail;
	return 0;
fail:
	atmo_py_strlist_free(l);
	return -1;
}

int atmo_py_strlist_finish(atmo_py_strlist *l)
{
	Py_ssize_t i, n = PyList_GET_SIZE(l->keep);

	if (!(l->items = PyMem_Calloc((size_t)n + 1, sizeof(char *)))) {
		PyErr_NoMemory();
		return -1;
	}
	for (i = 0; i < n; i++)
		l->items[i] = PyBytes_AS_STRING(PyList_GET_ITEM(l->keep, i));
	l->count = (size_t)n;
	return 0;
}

/* Convert a json_t result to Python and drop it. */
PyObject *atmo_py_json_result(json_t *j)
{
	PyObject *res = atmo_py_from_json(j);
	json_decref(j);
	return res;
}

/* ---- parse ---------------------------------------------------------------------------- */

static PyObject *core_parse(PyObject *module, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "source", "filename", "dump", NULL };
	PyObject *source, *res = NULL;
	const char *filename = NULL, *text;
	Py_ssize_t len;
	int dump = 0, rc;
	atmo_dockerfile *df = NULL;
	json_t *j = NULL;
	char *dumped = NULL;
	atmo_error err;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$zp:parse", kwlist, &source, &filename,
					 &dump))
		return NULL;
	if (atmo_py_get_text(source, &text, &len, "source") < 0)
		return NULL;
	atmo_error_clear(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = atmo_dockerfile_parse(&df, text, (size_t)len, filename ? filename : "<string>", &err);
	if (rc == 0)
		rc = dump ? atmo_dockerfile_dump(&dumped, df, &err)
			  : atmo_dockerfile_to_json(&j, df, &err);
	atmo_dockerfile_free(df);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return atmo_py_raise_error(module, rc, &err);
	if (dump) {
		res = PyUnicode_DecodeUTF8(dumped, (Py_ssize_t)strlen(dumped), "surrogateescape");
		atmo_free(dumped);
		return res;
	}
	return atmo_py_json_result(j);
}

/* Read a whole file without the GIL. */
static int read_file_nogil(PyObject *module, const char *path, char **data, size_t *len)
{
	atmo_error err;
	int rc;
	atmo_error_clear(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = atmo_file_read(data, len, path, 0, &err);
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		atmo_py_raise_error(module, rc, &err);
		return -1;
	}
	return 0;
}

static PyObject *core_read_file(PyObject *module, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "path", NULL };
	PyObject *pathobj, *path, *res;
	char *data = NULL;
	size_t len = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:read_file", kwlist, &pathobj))
		return NULL;
	if (!(path = atmo_py_get_path(pathobj)))
		return NULL;
	if (read_file_nogil(module, PyBytes_AS_STRING(path), &data, &len) < 0) {
		Py_DECREF(path);
		return NULL;
	}
	Py_DECREF(path);
	res = PyBytes_FromStringAndSize(data, (Py_ssize_t)len);
	atmo_free(data);
	return res;
}

/* ---- render ------------------------------------------------------------------------- */

/*
 * The module's renderer, made on first use. Making it loads Graphviz's plugins
 * (tens of milliseconds), so it runs without the GIL; a lock keeps two threads
 * from making two. st->renderer is only read and written with the GIL held.
 */
static atmo_renderer *get_renderer(PyObject *module)
{
	core_state *st = get_state(module);
	atmo_renderer *r = NULL;
	atmo_error err;
	int rc = 0;
	if (st->renderer)
		return st->renderer;
	Py_BEGIN_ALLOW_THREADS
	PyThread_acquire_lock(st->lock, WAIT_LOCK);
	Py_END_ALLOW_THREADS
	if (st->renderer) { /* made by another thread meanwhile */
		PyThread_release_lock(st->lock);
		return st->renderer;
	}
	atmo_error_clear(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = atmo_renderer_new(&r, &err);
	Py_END_ALLOW_THREADS
	if (rc == 0)
		st->renderer = r;
	PyThread_release_lock(st->lock);
	if (rc < 0) {
		atmo_py_raise_error(module, rc, &err);
		return NULL;
	}
	return st->renderer;
}

/*
 * The keyword arguments of render() (and check_render_options(), without the
 * graph) converted to atmo_render_options; the strings point into the
 * argument objects, alive for the call. Checks nothing the core checks: that
 * is atmo_render_options_check()'s job. 0, or -1 with a Python exception.
 */
static int render_options_from(PyObject *args, PyObject *kwds, int with_graph, PyObject **doc,
			       atmo_render_options *opts, const char **path)
{
	static char *kwlist_g[] = {
		"graph",      "format",           "rankdir",    "layers",    "legend",
		"scratch",    "max_label_length", "theme",      "link_base", "dpi",
		"fixed_size", "id_prefix",        "svg_inline", "detail",    "path",
		NULL
	};
	static char *kwlist_c[] = { "format",     "rankdir",   "layers",
				    "legend",     "scratch",   "max_label_length",
				    "theme",      "link_base", "dpi",
				    "fixed_size", "id_prefix", "svg_inline",
				    "detail",     NULL };
	const char *format = "svg", *rankdir = NULL, *theme = "light", *link_base = NULL;
	const char *id_prefix = NULL, *detail = NULL;
	int layers = 0, legend = 0, scratch = 1, fixed_size = 0, svg_inline = 0, ok;
	int max_label = 0;
	double dpi = 0;
	atmo_render_options init = ATMO_RENDER_OPTIONS_INIT;

	if (with_graph)
		ok = PyArg_ParseTupleAndKeywords(args, kwds, "O|$szpppiszdpzpzz:render", kwlist_g,
						 doc, &format, &rankdir, &layers, &legend, &scratch,
						 &max_label, &theme, &link_base, &dpi, &fixed_size,
						 &id_prefix, &svg_inline, &detail, path);
	else /* the same keywords but graph and path */
		ok = PyArg_ParseTupleAndKeywords(args, kwds, "|$szpppiszdpzpz:check_render_options",
						 kwlist_c, &format, &rankdir, &layers, &legend,
						 &scratch, &max_label, &theme, &link_base, &dpi,
						 &fixed_size, &id_prefix, &svg_inline, &detail);
	if (!ok)
		return -1;
	if (with_graph && !PyDict_Check(*doc) && !PyUnicode_Check(*doc) && !PyBytes_Check(*doc)) {
		PyErr_Format(PyExc_TypeError,
			     "graph must be a dict (a graph document) or its JSON text, not %.100s",
			     Py_TYPE(*doc)->tp_name);
		return -1;
	}
	if (max_label < 0) { /* not representable in the unsigned option: a conversion error */
		PyErr_SetString(PyExc_ValueError, "max_label_length must be >= 0");
		return -1;
	}
	*opts = init;
	if (atmo_format_from_name(&opts->format, format) < 0) {
		PyErr_Format(PyExc_ValueError,
			     "unknown format '%s' (svg, png, pdf, dot, json, text)", format);
		return -1;
	}
	opts->rankdir = rankdir;
	opts->layers = layers;
	opts->legend = legend;
	opts->show_scratch = scratch;
	opts->max_label_length = (unsigned int)max_label;
	opts->theme = theme;
	opts->link_base = link_base;
	opts->dpi = dpi;
	opts->fixed_size = fixed_size;
	opts->id_prefix = id_prefix;
	opts->svg_inline = svg_inline;
	opts->detail = detail;
	return 0;
}

/* check_render_options(**render options) -> None: atmo_render_options_check(). */
static PyObject *core_check_render_options(PyObject *module, PyObject *args, PyObject *kwds)
{
	atmo_render_options opts;
	atmo_error err;
	int rc;

	if (render_options_from(args, kwds, 0, NULL, &opts, NULL) < 0)
		return NULL;
	atmo_error_clear(&err);
	if ((rc = atmo_render_options_check(&opts, &err)) < 0)
		return atmo_py_raise_error(module, rc, &err);
	Py_RETURN_NONE;
}

/* describe(graph, *, render options...) -> str: atmo_render_describe(). */
static PyObject *core_describe(PyObject *module, PyObject *args, PyObject *kwds)
{
	PyObject *doc = NULL, *res;
	atmo_render_options opts;
	const char *path = NULL;
	json_t *graph;
	char *text = NULL;
	atmo_error err;
	int rc;

	if (render_options_from(args, kwds, 1, &doc, &opts, &path) < 0)
		return NULL;
	if (PyUnicode_Check(doc) || PyBytes_Check(doc)) {
		json_error_t je;
		const char *s;
		Py_ssize_t n;
		int nomem;
		if (PyUnicode_Check(doc)) {
			if (!(s = PyUnicode_AsUTF8AndSize(doc, &n)))
				return NULL;
		} else {
			s = PyBytes_AS_STRING(doc);
			n = PyBytes_GET_SIZE(doc);
		}
		graph = atmo__json_loadb(s, (size_t)n, JSON_REJECT_DUPLICATES, &je, &nomem);
		if (nomem)
			return PyErr_NoMemory();
		if (!graph) {
			atmo_error_clear(&err);
			err.code = ATMO_EINVALID;
			snprintf(err.text, sizeof(err.text), "the graph document is not JSON: %s",
				 je.text);
			return atmo_py_raise_error(module, ATMO_EINVALID, &err);
		}
	} else if (!(graph = atmo_py_to_json(doc))) {
		return NULL;
	}
	atmo_error_clear(&err);
	rc = atmo_render_describe(&text, graph, &opts, &err);
	json_decref(graph);
	if (rc < 0)
		return atmo_py_raise_error(module, rc, &err);
	res = PyUnicode_FromString(text);
	atmo_free(text);
	return res;
}

/*
 * A graph argument given as JSON text (str or bytes): 1 with text and len pointing into
 * doc (valid while the caller holds doc), 0 when doc is not text (a dict), -1 with a
 * Python exception.
 */
static int graph_text(PyObject *doc, const char **text, Py_ssize_t *len)
{
	if (PyUnicode_Check(doc))
		return (*text = PyUnicode_AsUTF8AndSize(doc, len)) ? 1 : -1;
	if (PyBytes_Check(doc)) {
		*text = PyBytes_AS_STRING(doc);
		*len = PyBytes_GET_SIZE(doc);
		return 1;
	}
	return 0;
}

/*
 * render(graph, *, options..., path=None) -> (bytes, warnings). graph is a dict or its JSON
 * text; text is parsed and rendered without the GIL, and with path the output is also
 * written there atomically (no fsync), still without the GIL: a worker thread rendering
 * diagrams then needs the interpreter only to start and to finish.
 */
static PyObject *core_render(PyObject *module, PyObject *args, PyObject *kwds)
{
	PyObject *doc = NULL, *res = NULL, *pywarn = NULL;
	atmo_render_options opts;
	atmo_renderer *r;
	json_t *graph = NULL, *warnings = NULL;
	const char *path = NULL, *text = NULL;
	Py_ssize_t text_len = 0;
	char *data = NULL;
	size_t len = 0;
	atmo_error err;
	int rc;

	if (render_options_from(args, kwds, 1, &doc, &opts, &path) < 0)
		return NULL;
	atmo_error_clear(&err);
	/* the core's ranges (rankdir, theme, max_label_length, dpi), before Graphviz is loaded */
	if ((rc = atmo_render_options_check(&opts, &err)) < 0)
		return atmo_py_raise_error(module, rc, &err);
	if (!(r = get_renderer(module)))
		return NULL;
	/* text stays valid meanwhile: args holds doc */
	if ((rc = graph_text(doc, &text, &text_len)) < 0)
		return NULL;
	if (rc == 0 && !(graph = atmo_py_to_json(doc)))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	if (text)
		rc = atmo_render_text(&data, &len, r, text, (size_t)text_len, &opts, &warnings,
				      &err);
	else
		rc = atmo_render(&data, &len, r, graph, &opts, &warnings, &err);
	if (rc == 0 && path)
		rc = atmo_file_write_atomic_flags(path, data, len, ATMO_WRITE_NO_SYNC, &err);
	Py_END_ALLOW_THREADS
	json_decref(graph);
	if (rc < 0) {
		json_decref(warnings);
		atmo_free(data);
		return atmo_py_raise_error(module, rc, &err);
	}
	pywarn = warnings ? atmo_py_json_result(warnings) : PyList_New(0);
	if (!pywarn)
		goto done;
	{
		PyObject *bytes = PyBytes_FromStringAndSize(data, (Py_ssize_t)len);
		if (bytes) {
			res = PyTuple_Pack(2, bytes, pywarn);
			Py_DECREF(bytes);
		}
	}
done:
	Py_XDECREF(pywarn);
	atmo_free(data);
	return res;
}

/*
 * The module's render queue (atmo_render_queue): one thread of its own, which never needs
 * the GIL, renders what render_submit() queues while Python goes on; render_take() hands
 * the bytes over. The Sphinx extension queues each diagram as its page is read.
 */
static atmo_render_queue *get_queue(PyObject *module, int make)
{
	core_state *st = get_state(module);
	atmo_error err;
	int rc;
	if (st->queue && st->queue_pid != (long)getpid()) {
		PyErr_SetString(PyExc_RuntimeError,
				"the render queue belongs to the parent process "
				"(its thread is not in a fork)");
		return NULL;
	}
	if (st->queue || !make)
		return st->queue;
	atmo_error_clear(&err);
	if ((rc = atmo_render_queue_new(&st->queue, &err)) < 0) {
		atmo_py_raise_error(module, rc, &err);
		return NULL;
	}
	st->queue_pid = (long)getpid();
	return st->queue;
}

/* render_submit(graph, *, render()'s options, path=None) -> int: queue a render. */
static PyObject *core_render_submit(PyObject *module, PyObject *args, PyObject *kwds)
{
	PyObject *doc = NULL, *res;
	atmo_render_options opts;
	atmo_render_queue *q;
	const char *path = NULL, *text;
	char *dumped = NULL;
	Py_ssize_t text_len;
	uint64_t ticket;
	atmo_error err;
	int rc;

	if (render_options_from(args, kwds, 1, &doc, &opts, &path) < 0)
		return NULL;
	if ((rc = graph_text(doc, &text, &text_len)) < 0)
		return NULL;
	if (rc == 0) { /* a dict: queued as its JSON text */
		json_t *graph = atmo_py_to_json(doc);
		if (!graph)
			return NULL;
		dumped = atmo__json_dumps(graph, JSON_COMPACT);
		json_decref(graph);
		if (!dumped)
			return PyErr_NoMemory();
		text = dumped;
		text_len = (Py_ssize_t)strlen(dumped);
	}
	if (!(q = get_queue(module, 1))) {
		atmo_free(dumped);
		return NULL;
	}
	atmo_error_clear(&err);
	rc = atmo_render_queue_submit(q, &ticket, text, (size_t)text_len, &opts, path, &err);
	atmo_free(dumped);
	if (rc < 0)
		return atmo_py_raise_error(module, rc, &err);
	res = PyLong_FromUnsignedLongLong((unsigned long long)ticket);
	return res;
}

/* render_take(ticket) -> bytes: wait for a queued render (GIL released) and hand it over. */
static PyObject *core_render_take(PyObject *module, PyObject *arg)
{
	unsigned long long ticket = PyLong_AsUnsignedLongLong(arg);
	atmo_render_queue *q;
	atmo_error err;
	char *data = NULL;
	size_t len = 0;
	PyObject *res;
	int rc;

	if (ticket == (unsigned long long)-1 && PyErr_Occurred())
		return NULL;
	/* before any submit: an empty queue, whose take says the job is unknown */
	if (!(q = get_queue(module, 1)))
		return NULL;
	atmo_error_clear(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = atmo_render_queue_take(q, (uint64_t)ticket, &data, &len, &err);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return atmo_py_raise_error(module, rc, &err);
	res = PyBytes_FromStringAndSize(data, (Py_ssize_t)len);
	atmo_free(data);
	return res;
}

/* render_wait() -> None: wait until every queued render is done (GIL released). */
static PyObject *core_render_wait(PyObject *module, PyObject *unused)
{
	atmo_render_queue *q = get_queue(module, 0);
	if (!q)
		return PyErr_Occurred() ? NULL : (Py_INCREF(Py_None), Py_None);
	Py_BEGIN_ALLOW_THREADS
	atmo_render_queue_wait(q);
	Py_END_ALLOW_THREADS
	Py_RETURN_NONE;
}

static PyObject *core_graphviz_version(PyObject *module, PyObject *unused)
{
	atmo_renderer *r;
	const char *v;
	if (!(r = get_renderer(module)))
		return NULL;
	v = atmo_render_graphviz_version(r);
	return PyUnicode_FromString(v ? v : "");
}

/* graphviz_identity() -> str: the Graphviz that renders, for cache keys (atmo_render_graphviz_identity). */
static PyObject *core_graphviz_identity(PyObject *module, PyObject *unused)
{
	PyObject *res;
	atmo_error err;
	char *s = NULL;
	int rc;

	atmo_error_clear(&err);
	if ((rc = atmo_render_graphviz_identity(&s, &err)) < 0)
		return atmo_py_raise_error(module, rc, &err);
	res = PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "surrogateescape");
	atmo_free(s);
	return res;
}

/* svg_inline(svg: bytes, label: str) -> str: the root <svg> for an HTML page (atmo_render_svg_inline). */
static PyObject *core_svg_inline(PyObject *module, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "svg", "label", NULL };
	Py_buffer svg;
	const char *label;
	PyObject *res;
	atmo_error err;
	char *out = NULL;
	size_t len = 0;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "y*s:svg_inline", kwlist, &svg, &label))
		return NULL;
	atmo_error_clear(&err);
	rc = atmo_render_svg_inline(&out, &len, svg.buf, (size_t)svg.len, label, &err);
	PyBuffer_Release(&svg);
	if (rc < 0)
		return atmo_py_raise_error(module, rc, &err);
	res = PyUnicode_DecodeUTF8(out, (Py_ssize_t)len, NULL);
	atmo_free(out);
	return res;
}

static PyObject *core_version(PyObject *module, PyObject *unused)
{
	return PyUnicode_FromString(atmo_version());
}

/* ---- module ----------------------------------------------------------------------------- */

static PyMethodDef core_methods[] = {
	{ "parse", (PyCFunction)(void (*)(void))core_parse, METH_VARARGS | METH_KEYWORDS,
	  "parse(source, *, filename=None, dump=False) -> dict | str\n"
	  "Parse Dockerfile text (str or bytes): the 'atmograph.parse/1' document, or BuildKit's "
	  "dump." },
	{ "read_file", (PyCFunction)(void (*)(void))core_read_file, METH_VARARGS | METH_KEYWORDS,
	  "read_file(path) -> bytes\nRead a whole file (atmograph's errors, GIL released)." },
	{ "render", (PyCFunction)(void (*)(void))core_render, METH_VARARGS | METH_KEYWORDS,
	  "render(graph, *, format='svg', rankdir=None, layers=False, legend=False, scratch=True,\n"
	  "       max_label_length=0, theme='light', link_base=None, dpi=0.0, fixed_size=False,\n"
	  "       id_prefix=None, svg_inline=False, detail=None, path=None)\n"
	  "-> (bytes, warnings)\nRender a graph document (a dict or its JSON text) with Graphviz;\n"
	  "with path, also write the output there atomically. The GIL is released meanwhile." },
	{ "describe", (PyCFunction)(void (*)(void))core_describe, METH_VARARGS | METH_KEYWORDS,
	  "describe(graph, *, render options...) -> str\n"
	  "The accessible name of the drawing render() makes (the SVG's aria-label): the image\n"
	  "and its stages in order by name, or a family overview's images." },
	{ "check_render_options", (PyCFunction)(void (*)(void))core_check_render_options,
	  METH_VARARGS | METH_KEYWORDS,
	  "check_render_options(*, format='svg', rankdir=None, ... the options of render()) -> "
	  "None\n"
	  "Check render options as render() does (atmo_render_options_check), without a graph:\n"
	  "InvalidInputError names the option and its value." },
	{ "render_submit", (PyCFunction)(void (*)(void))core_render_submit,
	  METH_VARARGS | METH_KEYWORDS,
	  "render_submit(graph, *, the options of render(), path=None) -> int\n"
	  "Queue a render in the module's render thread (which never needs the GIL) and return\n"
	  "the job's number; bad options raise here, the render's own errors from render_take()." },
	{ "render_take", core_render_take, METH_O,
	  "render_take(ticket) -> bytes\nWait for a queued render (GIL released) and hand its "
	  "output\n"
	  "over, once; its error raises as render() would. NotFoundError: no such job." },
	{ "render_wait", core_render_wait, METH_NOARGS,
	  "render_wait() -> None\nWait until every queued render is done (the outputs stay to "
	  "take)." },
	{ "graphviz_version", core_graphviz_version, METH_NOARGS, "The Graphviz version in use." },
	{ "graphviz_identity", core_graphviz_identity, METH_NOARGS,
	  "graphviz_identity() -> str\nThe Graphviz that renders, for cache keys, without making "
	  "a\n"
	  "renderer: the compiled-against version and the loaded libgvc's path:size:mtime." },
	{ "svg_inline", (PyCFunction)(void (*)(void))core_svg_inline, METH_VARARGS | METH_KEYWORDS,
	  "svg_inline(svg, label) -> str\nThe root <svg> element of a rendered SVG for an HTML "
	  "page:\n"
	  "width from its viewBox, role=\"img\" and aria-label=label (atmo_render_svg_inline)." },
	{ "version", core_version, METH_NOARGS, "The atmograph library version." },
	{ NULL, NULL, 0, NULL }
};

static int core_exec(PyObject *module)
{
	core_state *st = get_state(module);
	PyObject *zero = PyLong_FromLong(0);
	const char *gvleak = getenv("ATMOGRAPH_GVLEAK");
	int i;

	/* the face reads the environment, the library does not */
	if (gvleak && !strcmp(gvleak, "off"))
		atmo_render_set_graphviz_fix(0);
	/* the calls defined in module_graph.c and module_check.c, beside core_methods */
	if (PyModule_AddFunctions(module, atmo_py_graph_methods) < 0 ||
	    PyModule_AddFunctions(module, atmo_py_check_methods) < 0)
		return -1;
	if (!zero)
		return -1;
	if (!(st->lock = PyThread_allocate_lock())) {
		Py_DECREF(zero);
		PyErr_NoMemory();
		return -1;
	}
	for (i = 0; i < EXC_COUNT; i++) {
		PyObject *base =
			exc_specs[i].base < 0 ? PyExc_Exception : st->exc[exc_specs[i].base];
		PyObject *bases = NULL;
		PyObject *dict = PyDict_New();
		const char *shortname = strrchr(exc_specs[i].name, '.') + 1;
		if (!dict) {
			Py_DECREF(zero);
			return -1;
		}
		if (i == EXC_ERROR) {
			/* class-level defaults so every instance has the attributes */
			if (PyDict_SetItemString(dict, "filename", Py_None) < 0 ||
			    PyDict_SetItemString(dict, "line", zero) < 0 ||
			    PyDict_SetItemString(dict, "column", zero) < 0 ||
			    PyDict_SetItemString(dict, "code", zero) < 0 ||
			    PyDict_SetItemString(dict, "text", Py_None) < 0 ||
			    PyDict_SetItemString(dict, "reason", Py_None) < 0) {
				Py_DECREF(zero);
				Py_DECREF(dict);
				return -1;
			}
		}
		if (exc_specs[i].base2 >= 0 &&
		    !(bases = PyTuple_Pack(2, base, st->exc[exc_specs[i].base2]))) {
			Py_DECREF(dict);
			Py_DECREF(zero);
			return -1;
		}
		st->exc[i] = PyErr_NewExceptionWithDoc(exc_specs[i].name, exc_specs[i].doc,
						       bases ? bases : base, dict);
		Py_XDECREF(bases);
		Py_DECREF(dict);
		if (!st->exc[i] || PyModule_AddObjectRef(module, shortname, st->exc[i]) < 0) {
			Py_DECREF(zero);
			return -1;
		}
	}
	Py_DECREF(zero);
	/* ParseError is the same class as InvalidInputError */
	if (PyModule_AddObjectRef(module, "ParseError", st->exc[EXC_INVALID]) < 0)
		return -1;
	if (PyModule_AddStringConstant(module, "GRAPH_SCHEMA", ATMO_GRAPH_SCHEMA) < 0)
		return -1;
	if (PyModule_AddStringConstant(module, "GRAPHVIZ_BUILD_VERSION",
				       atmo_render_graphviz_build_version()) < 0)
		return -1;
	return 0;
}

static int core_traverse(PyObject *module, visitproc visit, void *arg)
{
	core_state *st = get_state(module);
	int i;
	for (i = 0; i < EXC_COUNT; i++)
		Py_VISIT(st->exc[i]);
	return 0;
}

static int core_clear(PyObject *module)
{
	core_state *st = get_state(module);
	int i;
	for (i = 0; i < EXC_COUNT; i++)
		Py_CLEAR(st->exc[i]);
	return 0;
}

static void core_free(void *module)
{
	core_state *st = get_state((PyObject *)module);
	core_clear((PyObject *)module);
	if (st->queue && st->queue_pid == (long)getpid())
		atmo_render_queue_free(st->queue); /* its thread never takes the GIL */
	st->queue = NULL;
	atmo_renderer_free(st->renderer);
	st->renderer = NULL;
	if (st->lock)
		PyThread_free_lock(st->lock);
	st->lock = NULL;
}

static PyModuleDef_Slot core_slots[] = { { Py_mod_exec, core_exec }, { 0, NULL } };

static struct PyModuleDef core_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "atmograph._core",
	.m_doc = "atmograph's C core: Dockerfile parsing, stage graphs, image reading, rendering.",
	.m_size = sizeof(core_state),
	.m_methods = core_methods,
	.m_slots = core_slots,
	.m_traverse = core_traverse,
	.m_clear = core_clear,
	.m_free = core_free,
};

PyMODINIT_FUNC PyInit__core(void)
{
	return PyModuleDef_Init(&core_module);
}
