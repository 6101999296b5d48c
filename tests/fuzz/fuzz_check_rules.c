/* libFuzzer: rules files of atmograph check, as JSON (first byte even) or YAML (odd),
 * and, when they load, an evaluation over no image and the JUnit text of the result. */
#include <stdint.h>
#include <stdlib.h>
#include "atmograph/alloc.h"
#include "atmograph/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	atmo_check_rules *r = NULL;
	atmo_error err;
	json_t *doc = NULL;
	char *xml = NULL;
	if (size < 1 || atmo_check_rules_new(&r, NULL) < 0)
		return 0;
	atmo_error_clear(&err);
	if (atmo_check_rules_load_string(r, (const char *)data + 1, size - 1,
					 data[0] & 1 ? "fuzz.yaml" : "fuzz.json", &err) == 0 &&
	    atmo_check_images(&doc, r, NULL, 0, &err) == 0 &&
	    atmo_check_junit(&xml, doc, &err) == 0)
		atmo_free(xml);
	json_decref(doc);
	atmo_check_rules_free(r);
	return 0;
}
