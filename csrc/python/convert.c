/*
 * atmograph._core: converting between jansson values and Python objects.
 * Called with the GIL held.
 */
#include "python/convert_int.h"

PyObject *atmo_py_from_json(const json_t *v)
{
	PyObject *res = NULL;

	if (!v)
		Py_RETURN_NONE;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *item;
		if (Py_EnterRecursiveCall(" converting a JSON object"))
			return NULL;
		res = PyDict_New();
		if (!res)
			goto obj_done;
		json_object_foreach((json_t *)v, key, item) {
			PyObject *pv = atmo_py_from_json(item);
			if (!pv || PyDict_SetItemString(res, key, pv) < 0) {
				Py_XDECREF(pv);
				Py_CLEAR(res);
				goto obj_done;
			}
			Py_DECREF(pv);
		}
	obj_done:
		Py_LeaveRecursiveCall();
		return res;
	}
	case JSON_ARRAY: {
		size_t i, n = json_array_size(v);
		if (Py_EnterRecursiveCall(" converting a JSON array"))
			return NULL;
		res = PyList_New((Py_ssize_t)n);
		if (res) {
			for (i = 0; i < n; i++) {
				PyObject *pv = atmo_py_from_json(json_array_get(v, i));
				if (!pv) {
					Py_CLEAR(res);
					break;
				}
				PyList_SET_ITEM(res, (Py_ssize_t)i, pv);
			}
		}
		Py_LeaveRecursiveCall();
		return res;
	}
	case JSON_STRING:
		return PyUnicode_DecodeUTF8(json_string_value(v), (Py_ssize_t)json_string_length(v),
					    "surrogateescape");
	case JSON_INTEGER:
		return PyLong_FromLongLong((long long)json_integer_value(v));
	case JSON_REAL:
		return PyFloat_FromDouble(json_real_value(v));
	case JSON_TRUE:
		Py_RETURN_TRUE;
	case JSON_FALSE:
		Py_RETURN_FALSE;
	case JSON_NULL:
	default:
		Py_RETURN_NONE;
	}
}

/* Python -> jansson; sets a Python exception and returns NULL on failure. */
json_t *atmo_py_to_json(PyObject *o)
{
	json_t *res = NULL;

	if (o == Py_None)
		return json_null();
	if (o == Py_True)
		return json_true();
	if (o == Py_False)
		return json_false();
	if (PyLong_Check(o)) {
		long long x = PyLong_AsLongLong(o);
		if (x == -1 && PyErr_Occurred())
			return NULL;
		res = json_integer((json_int_t)x);
		goto check;
	}
	if (PyFloat_Check(o)) {
		res = json_real(PyFloat_AS_DOUBLE(o));
		if (!res)
			PyErr_SetString(PyExc_ValueError,
					"graph document: NaN and infinity are not JSON");
		return res;
	}
	if (PyUnicode_Check(o)) {
		Py_ssize_t n;
		const char *s = PyUnicode_AsUTF8AndSize(o, &n);
		if (!s)
			return NULL;
		res = json_stringn(s, (size_t)n);
		goto check;
	}
	if (PyDict_Check(o)) {
		PyObject *k, *val;
		Py_ssize_t pos = 0;
		if (Py_EnterRecursiveCall(" converting a dict to JSON"))
			return NULL;
		res = json_object();
		if (!res) {
			PyErr_NoMemory();
			goto dict_done;
		}
		while (PyDict_Next(o, &pos, &k, &val)) {
			const char *ks;
			json_t *jv;
			if (!PyUnicode_Check(k)) {
				PyErr_Format(PyExc_TypeError,
					     "graph document: object keys must be str, not %.100s",
					     Py_TYPE(k)->tp_name);
				goto dict_fail;
			}
			ks = PyUnicode_AsUTF8(k);
			if (!ks)
				goto dict_fail;
			jv = atmo_py_to_json(val);
			if (!jv)
				goto dict_fail;
			if (json_object_set_new(res, ks, jv) < 0) {
				PyErr_SetString(PyExc_ValueError, "graph document: bad object key");
				goto dict_fail;
			}
		}
		goto dict_done;
	dict_fail:
		json_decref(res);
		res = NULL;
	dict_done:
		Py_LeaveRecursiveCall();
		return res;
	}
	if (PyList_Check(o) || PyTuple_Check(o)) {
		PyObject *seq = PySequence_Fast(o, "expected a sequence");
		Py_ssize_t i, n;
		if (!seq)
			return NULL;
		if (Py_EnterRecursiveCall(" converting a list to JSON")) {
			Py_DECREF(seq);
			return NULL;
		}
		n = PySequence_Fast_GET_SIZE(seq);
		res = json_array();
		if (!res)
			PyErr_NoMemory();
		for (i = 0; res && i < n; i++) {
			json_t *jv = atmo_py_to_json(PySequence_Fast_GET_ITEM(seq, i));
			if (!jv || json_array_append_new(res, jv) < 0) {
				if (jv == NULL && !PyErr_Occurred())
					PyErr_NoMemory();
				json_decref(res);
				res = NULL;
			}
		}
		Py_LeaveRecursiveCall();
		Py_DECREF(seq);
		return res;
	}
	PyErr_Format(PyExc_TypeError, "graph document: cannot convert %.100s to JSON",
		     Py_TYPE(o)->tp_name);
	return NULL;
check:
	if (!res)
		PyErr_NoMemory();
	return res;
}
