/* The Python face of atmograph check (check.h): rules from a dict and a file, images
 * opened as inspect_image opens them, the document and its JUnit XML. Added to the
 * module by module.c. */
#include "python/module_int.h"

#include <string.h>

#include "atmograph/atmograph.h"

/* rules {name: value}: a list sets each element (forbidPackages), None or False turns
 * a rule off, anything else is set as its str() */
static int check_rules_from(atmo_check_rules *r, PyObject *rules, atmo_error *err)
{
	PyObject *k, *v;
	Py_ssize_t pos = 0;
	if (!rules || rules == Py_None)
		return 0;
	if (!PyDict_Check(rules)) {
		PyErr_SetString(PyExc_TypeError, "rules must be a dict {rule: value}");
		return -1;
	}
	while (PyDict_Next(rules, &pos, &k, &v)) {
		const char *name;
		PyObject *seq = NULL;
		Py_ssize_t i, n = 1;
		if (!PyUnicode_Check(k) || !(name = PyUnicode_AsUTF8(k))) {
			PyErr_SetString(PyExc_TypeError, "rules: keys must be rule names (str)");
			return -1;
		}
		if (PyList_Check(v) || PyTuple_Check(v)) {
			if (!(seq = PySequence_Fast(v, "rules")))
				return -1;
			n = PySequence_Fast_GET_SIZE(seq);
		}
		for (i = 0; i < n; i++) {
			PyObject *item = seq ? PySequence_Fast_GET_ITEM(seq, i) : v, *s;
			const char *text;
			int rc;
			if (item == Py_None || item == Py_False)
				s = PyUnicode_FromString("disabled");
			else
				s = PyObject_Str(item);
			if (!s || !(text = PyUnicode_AsUTF8(s))) {
				Py_XDECREF(s);
				Py_XDECREF(seq);
				return -1;
			}
			rc = atmo_check_rules_set(r, name, text, name, 0, 0, err);
			Py_DECREF(s);
			if (rc < 0) {
				Py_XDECREF(seq);
				return rc;
			}
		}
		Py_XDECREF(seq);
	}
	return 0;
}

/* The rules of a check: a rules file first, then the rules dict, dive's defaults when
 * both leave it empty; NULL with a Python exception. */
static atmo_check_rules *rules_of(PyObject *module, PyObject *rules, PyObject *rules_file)
{
	atmo_check_rules *r = NULL;
	PyObject *fpath = NULL;
	atmo_error err;
	int rc;

	atmo_error_clear(&err);
	if (atmo_check_rules_new(&r, &err) < 0) {
		atmo_py_raise_error(module, ATMO_ENOMEM, &err);
		return NULL;
	}
	if (rules_file && rules_file != Py_None) {
		if (!(fpath = atmo_py_get_path(rules_file)))
			goto fail;
		if ((rc = atmo_check_rules_load(r, PyBytes_AS_STRING(fpath), &err)) < 0) {
			atmo_py_raise_error(module, rc, &err);
			goto fail;
		}
		Py_CLEAR(fpath);
	}
	if ((rc = check_rules_from(r, rules, &err)) != 0) {
		if (rc < 0 && !PyErr_Occurred())
			atmo_py_raise_error(module, rc, &err);
		goto fail;
	}
	if (atmo_check_rules_empty(r))
		atmo_check_rules_defaults(r);
	return r;
fail:
	Py_XDECREF(fpath);
	atmo_check_rules_free(r);
	return NULL;
}

static PyObject *core_check(PyObject *module, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "images", "rules",     "rules_file",          "platform",
				  "verify", "auth_file", "insecure_registries", "ca_file",
				  NULL };
	PyObject *images, *rules = NULL, *rules_file = NULL, *seq = NULL, *keep = NULL, *res = NULL;
	atmo_image_options opts = ATMO_IMAGE_OPTIONS_INIT;
	atmo_check_rules *r = NULL;
	atmo_image **imgs = NULL;
	const char **paths = NULL;
	Py_ssize_t n = 0, i;
	int verify = 0, rc = 0;
	json_t *j = NULL;
	atmo_error err;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$OOzpzzz:check", kwlist, &images, &rules,
					 &rules_file, &opts.platform, &verify, &opts.auth_file,
					 &opts.insecure_registries, &opts.ca_file))
		return NULL;
	opts.verify = verify;
	atmo_error_clear(&err);
	if (!(seq = PySequence_Fast(images, "images must be a sequence of paths")))
		return NULL;
	n = PySequence_Fast_GET_SIZE(seq);
	keep = PyList_New(0);
	imgs = PyMem_Calloc((size_t)n + 1, sizeof(*imgs));
	paths = PyMem_Calloc((size_t)n + 1, sizeof(*paths));
	if (!keep || !imgs || !paths) {
		PyErr_NoMemory();
		goto done;
	}
	for (i = 0; i < n; i++) {
		PyObject *p = atmo_py_get_path(PySequence_Fast_GET_ITEM(seq, i));
		if (!p || PyList_Append(keep, p) < 0) {
			Py_XDECREF(p);
			goto done;
		}
		Py_DECREF(p);
		paths[i] = PyBytes_AS_STRING(p);
	}
	if (!(r = rules_of(module, rules, rules_file)))
		goto done;
	opts.packages = atmo_check_rules_need_packages(r);
	opts.files = 0;
	Py_BEGIN_ALLOW_THREADS
	for (i = 0; rc == 0 && i < n; i++)
		rc = atmo_image_open(&imgs[i], paths[i], &opts, &err);
	if (rc == 0)
		rc = atmo_check_images(&j, r, (const atmo_image *const *)imgs, (size_t)n, &err);
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		atmo_py_raise_image_error(module, rc, &err);
		goto done;
	}
	res = atmo_py_json_result(j);
done:
	for (i = 0; imgs && i < n; i++)
		atmo_image_free(imgs[i]);
	PyMem_Free(imgs);
	PyMem_Free(paths);
	atmo_check_rules_free(r);
	Py_XDECREF(keep);
	Py_XDECREF(seq);
	return res;
}

static PyObject *core_check_junit(PyObject *module, PyObject *doc)
{
	json_t *j = atmo_py_to_json(doc);
	char *xml = NULL;
	atmo_error err;
	PyObject *res;
	int rc;
	if (!j)
		return NULL;
	atmo_error_clear(&err);
	rc = atmo_check_junit(&xml, j, &err);
	json_decref(j);
	if (rc < 0)
		return atmo_py_raise_error(module, rc, &err);
	res = PyUnicode_FromString(xml);
	atmo_free(xml);
	return res;
}

/* check_report(report, *, rules=None, rules_file=None): the images a build report exported */
static PyObject *core_check_report(PyObject *module, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "report", "rules", "rules_file", NULL };
	PyObject *robj, *rules = NULL, *rules_file = NULL, *res = NULL;
	atmo_check_rules *r = NULL;
	json_t *report = NULL, *j = NULL;
	atmo_error err;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!|$OO:check_report", kwlist, &PyDict_Type,
					 &robj, &rules, &rules_file))
		return NULL;
	atmo_error_clear(&err);
	if (!(r = rules_of(module, rules, rules_file)))
		return NULL;
	if (!(report = atmo_py_to_json(robj)))
		goto done;
	Py_BEGIN_ALLOW_THREADS
	rc = atmo_check_report(&j, r, report, NULL, &err);
	Py_END_ALLOW_THREADS
	if (rc < 0) {
		atmo_py_raise_image_error(module, rc, &err);
		goto done;
	}
	res = atmo_py_json_result(j);
done:
	json_decref(report);
	atmo_check_rules_free(r);
	return res;
}

#define ATMO_PY_CHECK_METHODS                                                                      \
	{ "check", (PyCFunction)(void (*)(void))core_check, METH_VARARGS | METH_KEYWORDS,          \
	  "check(images, *, rules=None, rules_file=None, platform=None, verify=False,\n"           \
	  "      auth_file=None, insecure_registries=None, ca_file=None) -> dict\n"                \
	  "Measure images against CI rules ({rule: value}, dive's names; a rules file first):\n"   \
	  "the 'atmograph.check/1' document." },                                                   \
		{ "check_junit", core_check_junit, METH_O,                                         \
		  "check_junit(doc) -> str\nThe check document as JUnit XML." },                   \
		{ "check_report", (PyCFunction)(void (*)(void))core_check_report,                  \
		  METH_VARARGS | METH_KEYWORDS,                                                    \
		  "check_report(report, *, rules=None, rules_file=None) -> dict\n"                 \
		  "Measure the images a build report exported against CI rules: "                  \
		  "'atmograph.check/1'." },

PyMethodDef atmo_py_check_methods[] = { ATMO_PY_CHECK_METHODS{ NULL, NULL, 0, NULL } };
