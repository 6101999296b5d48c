/* A tiny C helper for the example service: calls puts() through libffi. */
#include <ffi.h>
#include <stdio.h>

int hello_greet(const char *name)
{
	ffi_cif cif;
	ffi_type *args[1] = { &ffi_type_pointer };
	void *values[1] = { &name };
	ffi_arg rc = 0;

	if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 1, &ffi_type_sint, args) != FFI_OK)
		return -1;
	ffi_call(&cif, FFI_FN(puts), &rc, values);
	return (int)rc;
}
