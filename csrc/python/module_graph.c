/* atmograph._core: graph, image, sizes, bake and build-report calls (added by module.c). */
#include "python/module_int.h"

#include <string.h>

#include "atmograph/atmograph.h"


/* graph() and stages(): parse, resolve and convert one document, without the GIL. */
static PyObject *graph_call(PyObject *module, PyObject *args, PyObject *kwds, int stages)
{
	static char *kwlist[] = { "source",         "filename", "target", "build_args",
				  "build_contexts", "image_id", NULL };
	PyObject *source, *pyargs = NULL, *pyctx = NULL;
	const char *filename = NULL, *target = NULL, *image_id = NULL, *text;
	Py_ssize_t len;
	atmo_py_strlist bargs, bctx;
	atmo_graph_options opts = ATMO_GRAPH_OPTIONS_INIT;
	atmo_dockerfile *df = NULL;
	atmo_graph *g = NULL;
	json_t *j = NULL;
	atmo_error err;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, stages ? "O|$zzOOz:stages" : "O|$zzOOz:graph",
					 kwlist, &source, &filename, &target, &pyargs, &pyctx,
					 &image_id))
		return NULL;
	if (atmo_py_get_text(source, &text, &len, "source") < 0)
		return NULL;
	if (atmo_py_strlist_from(&bargs, pyargs, "build_args") < 0)
		return NULL;
	if (atmo_py_strlist_from(&bctx, pyctx, "build_contexts") < 0) {
		atmo_py_strlist_free(&bargs);
		return NULL;
	}
	opts.target = target;
	opts.build_args = bargs.items;
	opts.n_build_args = bargs.count;
	opts.build_contexts = bctx.items;
	opts.n_build_contexts = bctx.count;
	opts.image_id = image_id;
	opts.source = filename;
	atmo_error_clear(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = atmo_dockerfile_parse(&df, text, (size_t)len, filename ? filename : "Dockerfile",
				   &err);
	if (rc == 0)
		rc = atmo_graph_build(&g, df, &opts, &err);
	if (rc == 0)
		rc = stages ? atmo_graph_stages_to_json(&j, g, &err)
			    : atmo_graph_to_json(&j, g, &err);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	Py_END_ALLOW_THREADS
	atmo_py_strlist_free(&bargs);
	atmo_py_strlist_free(&bctx);
	if (rc < 0)
		return atmo_py_raise_error(module, rc, &err);
	return atmo_py_json_result(j);
}

static PyObject *core_graph(PyObject *m, PyObject *a, PyObject *k)
{
	return graph_call(m, a, k, 0);
}
static PyObject *core_stages(PyObject *m, PyObject *a, PyObject *k)
{
	return graph_call(m, a, k, 1);
}
#define ATMO_PY_GRAPH_METHOD_LIST                                                                  \
	{ "graph", (PyCFunction)(void (*)(void))core_graph, METH_VARARGS | METH_KEYWORDS,          \
	  "graph(source, *, filename=None, target=None, build_args=None, build_contexts=None,\n"   \
	  "      image_id=None) -> dict\nThe stage graph document ('atmograph.graph/1') of "       \
	  "Dockerfile text." },                                                                    \
		{ "stages", (PyCFunction)(void (*)(void))core_stages,                              \
		  METH_VARARGS | METH_KEYWORDS,                                                    \
		  "stages(source, *, filename=None, target=None, build_args=None, "                \
		  "build_contexts=None,\n"                                                         \
		  "       image_id=None) -> dict\nThe stage list ('atmograph.stages/1') of "       \
		  "Dockerfile text." },

/* ---- images ---- */

static PyObject *core_inspect_image(PyObject *module, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "path",     "ref",      "verify",    "files",
				  "packages", "platform", "auth_file", "insecure_registries",
				  "ca_file",  NULL };
	PyObject *pathobj, *path;
	const char *ref = NULL, *platform = NULL;
	int verify = 0, packages = 0, files = 10, rc;
	atmo_image_options opts = ATMO_IMAGE_OPTIONS_INIT;
	atmo_image *img = NULL;
	json_t *j = NULL;
	atmo_error err;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$zpipzzzz:inspect_image", kwlist, &pathobj,
					 &ref, &verify, &files, &packages, &platform,
					 &opts.auth_file, &opts.insecure_registries, &opts.ca_file))
		return NULL;
	if (files < 0) {
		PyErr_SetString(PyExc_ValueError, "files must be >= 0");
		return NULL;
	}
	if (!(path = atmo_py_get_path(pathobj)))
		return NULL;
	opts.ref = ref;
	opts.platform = platform;
	opts.verify = verify;
	opts.files = (unsigned int)files;
	opts.packages = packages;
	atmo_error_clear(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = atmo_image_open(&img, PyBytes_AS_STRING(path), &opts, &err);
	if (rc == 0)
		rc = atmo_image_to_json(&j, img, &err);
	atmo_image_free(img);
	Py_END_ALLOW_THREADS
	Py_DECREF(path);
	if (rc < 0)
		return atmo_py_raise_image_error(module, rc, &err);
	return atmo_py_json_result(j);
}

static PyObject *core_image_diff(PyObject *module, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "a",        "b",         "max_files",
				  "packages", "auth_file", "insecure_registries",
				  "ca_file",  NULL };
	PyObject *ao, *bo, *pa = NULL, *pb = NULL;
	int max_files = 0, packages = 0, rc;
	atmo_image_options opts = ATMO_IMAGE_OPTIONS_INIT;
	atmo_image *ia = NULL, *ib = NULL;
	json_t *j = NULL;
	atmo_error err;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|$ipzzz:image_diff", kwlist, &ao, &bo,
					 &max_files, &packages, &opts.auth_file,
					 &opts.insecure_registries, &opts.ca_file))
		return NULL;
	if (max_files < 0) {
		PyErr_SetString(PyExc_ValueError, "max_files must be >= 0");
		return NULL;
	}
	if (!(pa = atmo_py_get_path(ao)) || !(pb = atmo_py_get_path(bo))) {
		Py_XDECREF(pa);
		return NULL;
	}
	opts.packages = packages;
	opts.files = 0;
	atmo_error_clear(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = atmo_image_open(&ia, PyBytes_AS_STRING(pa), &opts, &err);
	if (rc == 0)
		rc = atmo_image_open(&ib, PyBytes_AS_STRING(pb), &opts, &err);
	if (rc == 0)
		rc = atmo_image_diff(&j, ia, ib, (size_t)max_files, &err);
	atmo_image_free(ia);
	atmo_image_free(ib);
	Py_END_ALLOW_THREADS
	Py_DECREF(pa);
	Py_DECREF(pb);
	if (rc < 0)
		return atmo_py_raise_image_error(module, rc, &err);
	return atmo_py_json_result(j);
}

/* sizes(source, images, *, filename, target, build_args, build_contexts, verify, packages) */
static PyObject *core_sizes(PyObject *module, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = {
		"source",         "images", "filename", "target",    "build_args",
		"build_contexts", "verify", "packages", "auth_file", "insecure_registries",
		"ca_file",        NULL
	};
	PyObject *source, *images, *pyargs = NULL, *pyctx = NULL, *keep = NULL, *k, *v;
	const char *filename = NULL, *target = NULL, *text;
	Py_ssize_t len, pos = 0, n, i;
	int verify = 0, packages = 1, rc = 0, in_images = 0;
	atmo_py_strlist bargs, bctx;
	atmo_graph_options gopts = ATMO_GRAPH_OPTIONS_INIT;
	atmo_image_options iopts = ATMO_IMAGE_OPTIONS_INIT;
	atmo_image_sizes_input *inputs = NULL;
	const char **paths = NULL;
	atmo_dockerfile *df = NULL;
	atmo_graph *g = NULL;
	json_t *j = NULL;
	atmo_error err;
	PyObject *res = NULL;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO!|$zzOOppzzz:sizes", kwlist, &source,
					 &PyDict_Type, &images, &filename, &target, &pyargs, &pyctx,
					 &verify, &packages, &iopts.auth_file,
					 &iopts.insecure_registries, &iopts.ca_file))
		return NULL;
	if (atmo_py_get_text(source, &text, &len, "source") < 0)
		return NULL;
	if (atmo_py_strlist_from(&bargs, pyargs, "build_args") < 0)
		return NULL;
	if (atmo_py_strlist_from(&bctx, pyctx, "build_contexts") < 0) {
		atmo_py_strlist_free(&bargs);
		return NULL;
	}
	n = PyDict_GET_SIZE(images);
	keep = PyList_New(0);
	inputs = PyMem_Calloc((size_t)n + 1, sizeof *inputs);
	paths = PyMem_Calloc((size_t)n + 1, sizeof *paths);
	if (!keep || !inputs || !paths) {
		PyErr_NoMemory();
		goto done;
	}
	i = 0;
	while (PyDict_Next(images, &pos, &k, &v)) {
		PyObject *kb, *vb;
		if (!PyUnicode_Check(k)) {
			PyErr_SetString(PyExc_TypeError, "images: keys must be stage names (str)");
			goto done;
		}
		if (!(kb = PyUnicode_AsUTF8String(k)))
			goto done;
		if (PyList_Append(keep, kb) < 0) {
			Py_DECREF(kb);
			goto done;
		}
		Py_DECREF(kb);
		if (!(vb = atmo_py_get_path(v)))
			goto done;
		if (PyList_Append(keep, vb) < 0) {
			Py_DECREF(vb);
			goto done;
		}
		Py_DECREF(vb);
		inputs[i].stage = PyBytes_AS_STRING(kb);
		paths[i] = PyBytes_AS_STRING(vb);
		i++;
	}
	gopts.target = target;
	gopts.build_args = bargs.items;
	gopts.n_build_args = bargs.count;
	gopts.build_contexts = bctx.items;
	gopts.n_build_contexts = bctx.count;
	gopts.source = filename;
	iopts.verify = verify;
	iopts.packages = packages;
	iopts.files = 0;
	atmo_error_clear(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = atmo_dockerfile_parse(&df, text, (size_t)len, filename ? filename : "Dockerfile",
				   &err);
	if (rc == 0)
		rc = atmo_graph_build(&g, df, &gopts, &err);
	for (i = 0; rc == 0 && i < n; i++) {
		atmo_image *img = NULL;
		rc = atmo_image_open(&img, paths[i], &iopts, &err);
		inputs[i].image = img;
		in_images = rc < 0; /* an archive failed: an image error */
	}
	if (rc == 0)
		rc = atmo_image_sizes_compute(&j, g, inputs, (size_t)n, &err);
	for (i = 0; i < n; i++)
		atmo_image_free((atmo_image *)inputs[i].image);
	atmo_graph_free(g);
	atmo_dockerfile_free(df);
	Py_END_ALLOW_THREADS
	if (rc < 0 && in_images)
		atmo_py_raise_image_error(module, rc, &err);
	else if (rc < 0)
		atmo_py_raise_error(module, rc, &err);
	else
		res = atmo_py_json_result(j);
done:
	atmo_py_strlist_free(&bargs);
	atmo_py_strlist_free(&bctx);
	PyMem_Free(inputs);
	PyMem_Free((void *)paths);
	Py_XDECREF(keep);
	return res;
}
#define ATMO_PY_SIZES_METHOD                                                                       \
	{ "sizes", (PyCFunction)(void (*)(void))core_sizes, METH_VARARGS | METH_KEYWORDS,          \
	  "sizes(source, images, *, filename=None, target=None, build_args=None, "                 \
	  "build_contexts=None,\n"                                                                 \
	  "      verify=False, packages=True) -> dict\nStage sizes ('atmograph.sizes/1') from "    \
	  "images {stage: path}." },

#define ATMO_PY_IMAGE_METHOD_LIST                                                                  \
	{ "inspect_image", (PyCFunction)(void (*)(void))core_inspect_image,                        \
	  METH_VARARGS | METH_KEYWORDS,                                                            \
	  "inspect_image(path, *, ref=None, verify=False, files=10, packages=False, "              \
	  "platform=None) -> dict\n"                                                               \
	  "Read an image archive or layout: the 'atmograph.image/1' document." },                  \
		{ "image_diff", (PyCFunction)(void (*)(void))core_image_diff,                      \
		  METH_VARARGS | METH_KEYWORDS,                                                    \
		  "image_diff(a, b, *, max_files=0, packages=False) -> dict\nCompare two images "  \
		  "('atmograph.diff/1')." },                                                       \
		ATMO_PY_SIZES_METHOD

/* ---- bake files and plans ---- */

/* paths: one path or a sequence of paths, as an atmo_py_strlist of file-system bytes. */
static int bake_paths(atmo_py_strlist *l, PyObject *o)
{
	PyObject *seq = NULL;
	Py_ssize_t i;
	memset(l, 0, sizeof *l);
	if (!(l->keep = PyList_New(0)))
		return -1;
	if (PyUnicode_Check(o) || PyBytes_Check(o) || PyObject_HasAttrString(o, "__fspath__")) {
		PyObject *b = atmo_py_get_path(o);
		if (!b || PyList_Append(l->keep, b) < 0) {
			Py_XDECREF(b);
			goto fail;
		}
		Py_DECREF(b);
	} else {
		if (!(seq = PySequence_Fast(o, "paths must be a path or a sequence of paths")))
			goto fail;
		for (i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
			PyObject *b = atmo_py_get_path(PySequence_Fast_GET_ITEM(seq, i));
			if (!b || PyList_Append(l->keep, b) < 0) {
				Py_XDECREF(b);
				goto fail;
			}
			Py_DECREF(b);
		}
		Py_CLEAR(seq);
	}
	if (atmo_py_strlist_finish(l) < 0)
		goto fail;
	return 0;
fail:
	Py_XDECREF(seq);
	atmo_py_strlist_free(l);
	return -1;
}

/* A list of names (targets) from None or a sequence of str. */
static int name_list(atmo_py_strlist *l, PyObject *o)
{
	Py_ssize_t i;
	PyObject *seq;
	memset(l, 0, sizeof *l);
	if (!o || o == Py_None)
		return 0;
	if (PyUnicode_Check(o)) {
		PyErr_SetString(PyExc_TypeError, "targets must be a sequence of names, not str");
		return -1;
	}
	if (!(l->keep = PyList_New(0)))
		return -1;
	if (!(seq = PySequence_Fast(o, "targets must be a sequence of names")))
		goto fail;
	for (i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
		PyObject *it = PySequence_Fast_GET_ITEM(seq, i);
		if (!PyUnicode_Check(it)) {
			PyErr_Format(PyExc_TypeError, "targets: items must be str, not %.100s",
				     Py_TYPE(it)->tp_name);
			Py_DECREF(seq);
			goto fail;
		}
		if (atmo_py_strlist_add(l, it) < 0) {
			Py_DECREF(seq);
			goto fail;
		}
	}
	Py_DECREF(seq);
	if (atmo_py_strlist_finish(l) < 0)
		goto fail;
	return 0;
fail:
	atmo_py_strlist_free(l);
	return -1;
}

enum { BAKE_PRINT, BAKE_GRAPH, BAKE_PLAN };

/* the process environment (read without the GIL: getenv only reads) */
static const char *bake_getenv(const char *name, size_t len, void *payload)
{
	char key[256];

	(void)payload;
	if (len >= sizeof(key))
		return NULL;
	memcpy(key, name, len);
	key[len] = '\0';
	return getenv(key);
}

static PyObject *bake_call(PyObject *module, PyObject *args, PyObject *kwds, int what)
{
	static char *kwlist[] = { "paths",    "targets", "set_vars",  "no_env",  "engine", "stages",
				  "work_dir", "lower",   "overrides", "builder", "push",   NULL };
	PyObject *pathsobj, *targetsobj = NULL, *varsobj = NULL, *setobj = NULL;
	const char *engine = NULL, *work_dir = NULL, *builder = NULL;
	int no_env = 0, stages = 0, lower = -1, push = 0, rc;
	atmo_py_strlist paths, targets, vars, sets;
	atmo_bake_options bopts = ATMO_BAKE_OPTIONS_INIT;
	atmo_bake *b = NULL;
	json_t *j = NULL;
	atmo_error err;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$OOpzpziOzp", kwlist, &pathsobj,
					 &targetsobj, &varsobj, &no_env, &engine, &stages,
					 &work_dir, &lower, &setobj, &builder, &push))
		return NULL;
	if (bake_paths(&paths, pathsobj) < 0)
		return NULL;
	if (name_list(&targets, targetsobj) < 0) {
		atmo_py_strlist_free(&paths);
		return NULL;
	}
	if (atmo_py_strlist_from(&vars, varsobj, "set_vars") < 0) {
		atmo_py_strlist_free(&paths);
		atmo_py_strlist_free(&targets);
		return NULL;
	}
	if (atmo_py_strlist_from(&sets, setobj, "overrides") < 0) {
		atmo_py_strlist_free(&paths);
		atmo_py_strlist_free(&targets);
		atmo_py_strlist_free(&vars);
		return NULL;
	}
	bopts.set_vars = vars.items;
	bopts.n_set_vars = vars.count;
	bopts.overrides = sets.items;
	bopts.n_overrides = sets.count;
	bopts.no_env = no_env;
	bopts.env = bake_getenv;
	atmo_error_clear(&err);
	atmo_plan_options popts = ATMO_PLAN_OPTIONS_INIT;
	if (what == BAKE_PLAN) {
		if (engine && atmo_engine_from_name(&popts.engine.kind, engine) < 0) {
			PyErr_Format(PyExc_ValueError,
				     "unknown engine '%s' (buildah, docker, podman)", engine);
			goto fail;
		}
		popts.stages = stages;
		popts.work_dir = work_dir;
		popts.lower = lower;
		popts.engine.builder = builder;
		/* the engine program, isolation and storage from the process environment */
		atmo_engine_options_env(&popts.engine, bake_getenv, NULL);
		popts.push = push;
	}
	Py_BEGIN_ALLOW_THREADS
	rc = atmo_bake_load(&b, paths.items, paths.count, NULL, &bopts, &err);
	if (rc == 0 && what == BAKE_PRINT)
		rc = atmo_bake_print(&j, b, targets.items, targets.count, &err);
	else if (rc == 0 && what == BAKE_GRAPH)
		rc = atmo_bake_graph(&j, b, targets.items, targets.count, &err);
	else if (rc == 0 && what == BAKE_PLAN) {
		atmo_plan *p = NULL;
		rc = atmo_plan_new(&p, b, targets.items, targets.count, &popts, &err);
		if (rc == 0)
			rc = atmo_plan_to_json(&j, p, &err);
		atmo_plan_free(p);
	}
	atmo_bake_free(b);
	Py_END_ALLOW_THREADS
	atmo_py_strlist_free(&paths);
	atmo_py_strlist_free(&targets);
	atmo_py_strlist_free(&vars);
	atmo_py_strlist_free(&sets);
	if (rc < 0)
		return atmo_py_raise_error(module, rc, &err);
	return atmo_py_json_result(j);
fail:
	atmo_py_strlist_free(&paths);
	atmo_py_strlist_free(&targets);
	atmo_py_strlist_free(&vars);
	atmo_py_strlist_free(&sets);
	return NULL;
}

static PyObject *core_load_bake(PyObject *m, PyObject *a, PyObject *k)
{
	return bake_call(m, a, k, BAKE_PRINT);
}
static PyObject *core_bake_graph(PyObject *m, PyObject *a, PyObject *k)
{
	return bake_call(m, a, k, BAKE_GRAPH);
}
static PyObject *core_plan(PyObject *m, PyObject *a, PyObject *k)
{
	return bake_call(m, a, k, BAKE_PLAN);
}

#define ATMO_PY_BAKE_METHOD_LIST                                                                   \
	{ "load_bake", (PyCFunction)(void (*)(void))core_load_bake, METH_VARARGS | METH_KEYWORDS,  \
	  "load_bake(paths, *, targets=None, set_vars=None, no_env=False, overrides=None) -> "     \
	  "dict\n"                                                                                 \
	  "Load bake files (HCL or JSON): the resolved 'docker buildx bake --print' form;\n"       \
	  "overrides are --set values ('app.args.X=1')." },                                        \
		{ "bake_graph", (PyCFunction)(void (*)(void))core_bake_graph,                      \
		  METH_VARARGS | METH_KEYWORDS,                                                    \
		  "bake_graph(paths, *, targets=None, set_vars=None, no_env=False, "               \
		  "overrides=None) -> dict\n"                                                      \
		  "The multi-image graph document ('atmograph.graph/1') of bake targets." },       \
		{ "plan", (PyCFunction)(void (*)(void))core_plan, METH_VARARGS | METH_KEYWORDS,    \
		  "plan(paths, *, targets=None, set_vars=None, no_env=False, engine=None, "        \
		  "stages=False,\n"                                                                \
		  "     work_dir=None, lower=-1, overrides=None) -> dict\nThe build plan "         \
		  "('atmograph.plan/1')." },

/* ---- build reports ---- */

/* annotate(graph, report) and annotate_sizes(graph, sizes): a new graph document. */
static PyObject *annotate_call(PyObject *module, PyObject *args, PyObject *kwds, int sizes)
{
	static char *kwlist_r[] = { "graph", "report", NULL };
	static char *kwlist_s[] = { "graph", "sizes", NULL };
	PyObject *gobj, *robj;
	json_t *g = NULL, *r = NULL;
	atmo_error err;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(
		    args, kwds, sizes ? "O!O!:annotate_sizes" : "O!O!:annotate",
		    sizes ? kwlist_s : kwlist_r, &PyDict_Type, &gobj, &PyDict_Type, &robj))
		return NULL;
	if (!(g = atmo_py_to_json(gobj)))
		return NULL;
	if (!(r = atmo_py_to_json(robj))) {
		json_decref(g);
		return NULL;
	}
	atmo_error_clear(&err);
	rc = sizes ? atmo_image_sizes_annotate(g, r, &err) : atmo_report_annotate(g, r, &err);
	json_decref(r);
	if (rc < 0) {
		json_decref(g);
		return atmo_py_raise_error(module, rc, &err);
	}
	return atmo_py_json_result(g);
}

static PyObject *core_annotate(PyObject *m, PyObject *a, PyObject *k)
{
	return annotate_call(m, a, k, 0);
}
static PyObject *core_annotate_sizes(PyObject *m, PyObject *a, PyObject *k)
{
	return annotate_call(m, a, k, 1);
}

/* report_find_target(report, dockerfile, bases=()) -> str: the target building the file. */
static PyObject *core_report_find_target(PyObject *module, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "report", "dockerfile", "bases", NULL };
	PyObject *robj, *dfobj, *basesobj = NULL, *df = NULL, *keep = NULL, *seq = NULL,
				*res = NULL;
	const char **bases = NULL;
	const char *name = NULL;
	json_t *r = NULL;
	Py_ssize_t i, n = 0;
	atmo_error err;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O|O:report_find_target", kwlist,
					 &PyDict_Type, &robj, &dfobj, &basesobj))
		return NULL;
	if (!(df = atmo_py_get_path(dfobj)))
		return NULL;
	if (!(keep = PyList_New(0)))
		goto done;
	if (basesobj && basesobj != Py_None) {
		if (PyUnicode_Check(basesobj) || PyBytes_Check(basesobj)) {
			PyErr_SetString(PyExc_TypeError, "bases must be a sequence of paths");
			goto done;
		}
		if (!(seq = PySequence_Fast(basesobj, "bases must be a sequence of paths")))
			goto done;
		n = PySequence_Fast_GET_SIZE(seq);
		if (!(bases = PyMem_Calloc((size_t)n + 1, sizeof(*bases)))) {
			PyErr_NoMemory();
			goto done;
		}
		for (i = 0; i < n; i++) {
			PyObject *b = atmo_py_get_path(PySequence_Fast_GET_ITEM(seq, i));
			if (!b)
				goto done;
			if (PyList_Append(keep, b) < 0) {
				Py_DECREF(b);
				goto done;
			}
			Py_DECREF(b);
			bases[i] = PyBytes_AS_STRING(b); /* kept alive by keep */
		}
	}
	if (!(r = atmo_py_to_json(robj)))
		goto done;
	atmo_error_clear(&err);
	Py_BEGIN_ALLOW_THREADS
	rc = atmo_report_find_target(&name, r, PyBytes_AS_STRING(df), bases, (size_t)n, &err);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		atmo_py_raise_error(module, rc, &err);
	else
		res = PyUnicode_FromString(name);
done:
	json_decref(r);
	PyMem_Free((void *)bases);
	Py_XDECREF(seq);
	Py_XDECREF(keep);
	Py_XDECREF(df);
	return res;
}

#define ATMO_PY_ANNOTATE_METHOD_LIST                                                               \
	{ "annotate", (PyCFunction)(void (*)(void))core_annotate, METH_VARARGS | METH_KEYWORDS,    \
	  "annotate(graph, report) -> dict\nA copy of a graph document with a build report's "     \
	  "sizes." },                                                                              \
		{ "annotate_sizes", (PyCFunction)(void (*)(void))core_annotate_sizes,              \
		  METH_VARARGS | METH_KEYWORDS,                                                    \
		  "annotate_sizes(graph, sizes) -> dict\nA copy of a graph document with a sizes " \
		  "document's figures." },                                                         \
		{ "report_find_target", (PyCFunction)(void (*)(void))core_report_find_target,      \
		  METH_VARARGS | METH_KEYWORDS,                                                    \
		  "report_find_target(report, dockerfile, bases=()) -> str\n"                      \
		  "The name of the build report's target built from the file at dockerfile "       \
		  "(relative\n"                                                                    \
		  "report paths tried against each of bases; several: the first name in sort "     \
		  "order)." },

#define ATMO_PY_GRAPH_METHODS                                                                      \
	ATMO_PY_GRAPH_METHOD_LIST ATMO_PY_IMAGE_METHOD_LIST ATMO_PY_BAKE_METHOD_LIST               \
		ATMO_PY_ANNOTATE_METHOD_LIST

PyMethodDef atmo_py_graph_methods[] = { ATMO_PY_GRAPH_METHODS{ NULL, NULL, 0, NULL } };
