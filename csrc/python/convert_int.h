/* atmograph._core: shared declarations of the CPython extension (conversion only). */
#ifndef ATMO_PYTHON_CORE_H
#define ATMO_PYTHON_CORE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <jansson.h>

/* json_t -> new Python object (dict, list, str, int, float, bool, None). */
PyObject *atmo_py_from_json(const json_t *v);
/* Python object -> new json_t; NULL with a Python exception set on failure. */
json_t *atmo_py_to_json(PyObject *o);

#endif
