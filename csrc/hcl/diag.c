/* HCL ranges and diagnostics as buildx prints them. */
#include <stdio.h>
#include "hcl/hcl.h"
#include "util/error.h"

char *hcl_range_format(const hcl_range *r, char *buf, size_t n)
{
	const char *f = r->filename ? r->filename : "";
	if (!n)
		return buf;
	/* HCL's Range.String() */
	if (r->start.line == r->end.line)
		snprintf(buf, n, "%s:%d,%d-%d", f, r->start.line, r->start.column, r->end.column);
	else
		snprintf(buf, n, "%s:%d,%d-%d,%d", f, r->start.line, r->start.column, r->end.line,
			 r->end.column);
	return buf;
}

char *hcl_diag_more(const hcl_diag *d, char *buf, size_t n)
{
	if (!n)
		return buf;
	buf[0] = '\0';
	/* hcl.Diagnostics.Error() */
	if (d->n_more)
		snprintf(buf, n, ", and %zu other diagnostic(s)", d->n_more);
	return buf;
}

int hcl_diag_to_error(const hcl_diag *d, atmo_error *err)
{
	int code = d->code ? d->code : ATMO_EINVALID;
	int was_set = atmo__error_is_set(err);
	char more[64];

	hcl_diag_more(d, more, sizeof(more));
	if (d->detail[0])
		atmo__error_set(err, code, d->subject.filename, d->subject.start.line,
				d->subject.start.column, "%s; %s%s", d->summary, d->detail, more);
	else
		atmo__error_set(err, code, d->subject.filename, d->subject.start.line,
				d->subject.start.column, "%s%s", d->summary, more);
	if (err && !was_set)
		err->offset = d->subject.start.byte;
	return code;
}
