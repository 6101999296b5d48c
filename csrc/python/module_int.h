/*
 * atmograph._core: what module.c shares with the files that define the other
 * calls (module_graph.c, module_check.c): error mapping, argument helpers and
 * their method tables, which core_exec adds to the module.
 */
#ifndef ATMO_PYTHON_MODULE_INT_H
#define ATMO_PYTHON_MODULE_INT_H

#include "python/convert_int.h"
#include "atmograph/common.h"

/*
 * The one place that maps ATMO_E* codes to exception classes (module.c): sets
 * the exception (with filename, line, column, code, text) and returns NULL.
 * The image variant raises ImageError subclasses (InvalidImageError is an
 * InvalidInputError, ...).
 */
PyObject *atmo_py_raise_error(PyObject *module, int code, const atmo_error *err);
PyObject *atmo_py_raise_image_error(PyObject *module, int code, const atmo_error *err);

/* Text from str (UTF-8) or bytes; the object must stay alive while text is used. */
int atmo_py_get_text(PyObject *o, const char **text, Py_ssize_t *len, const char *what);
/* A path argument: str, bytes or os.PathLike, as a new bytes object (or NULL). */
PyObject *atmo_py_get_path(PyObject *o);

/* A list of "K=V" strings from None, a dict {K: V} or a sequence of "K=V". */
typedef struct {
	PyObject *keep; /* list of bytes objects that own the strings */
	const char **items;
	size_t count;
} atmo_py_strlist;

void atmo_py_strlist_free(atmo_py_strlist *l);
/* Append str s (as UTF-8 bytes kept in l->keep); -1 with a Python exception. */
int atmo_py_strlist_add(atmo_py_strlist *l, PyObject *s);
/* l->items and l->count from the strings kept so far (NULL-terminated); -1 with
 * MemoryError. */
int atmo_py_strlist_finish(atmo_py_strlist *l);
/* Fill l from o (what names the argument in errors); -1 with a Python exception. */
int atmo_py_strlist_from(atmo_py_strlist *l, PyObject *o, const char *what);

/* Convert a json_t result to Python and drop it. */
PyObject *atmo_py_json_result(json_t *j);

/* The calls of module_graph.c (graph, images, sizes, bake, reports) and module_check.c. */
extern PyMethodDef atmo_py_graph_methods[];
extern PyMethodDef atmo_py_check_methods[];

#endif
