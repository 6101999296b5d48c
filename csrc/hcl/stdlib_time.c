/*
 * Date and time functions: cty's formatdate and timeadd, buildx's
 * timestamp, formattimestamp and unixtimestampparse. Times are RFC 3339
 * (seconds, optional fraction, Z or an offset); arithmetic on Unix seconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hcl/stdlib_int.h"

#define S(i) (args[i]->u.str.s)
#define SL(i) (args[i]->u.str.len)

typedef struct {
	long long unix; /* seconds since the epoch */
	long nsec;
	int offset; /* seconds east of UTC */
	int utc;    /* written "Z" */
} tstamp;

static const char *const months[] = { "January",   "February", "March",    "April",
				      "May",       "June",     "July",     "August",
				      "September", "October",  "November", "December" };
static const char *const wdays[] = { "Sunday",   "Monday", "Tuesday", "Wednesday",
				     "Thursday", "Friday", "Saturday" };

/* days since 1970-01-01 of a civil date (Howard Hinnant's algorithm) */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	long long era;
	unsigned doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = (long long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y += *m <= 2;
}

typedef struct {
	long long year;
	unsigned month, day, hour, min, sec, wday, yday;
} civil;

static void to_civil(const tstamp *t, civil *c)
{
	long long local = t->unix + t->offset;
	long long days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	long long rem = local - days * 86400;
	civil_from_days(days, &c->year, &c->month, &c->day);
	c->hour = (unsigned)(rem / 3600);
	c->min = (unsigned)(rem % 3600 / 60);
	c->sec = (unsigned)(rem % 60);
	c->wday = (unsigned)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
	c->yday = (unsigned)(days - days_from_civil(c->year, 1, 1) + 1);
}

static int digits(const char *s, size_t n, size_t at, size_t count, int *out)
{
	size_t i;
	int v = 0;
	if (at + count > n)
		return -1;
	for (i = 0; i < count; i++) {
		if (s[at + i] < '0' || s[at + i] > '9')
			return -1;
		v = v * 10 + (s[at + i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(long long y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* one fixed-width number field of the layout; 0 ok, -1 msg set */
static int field(const char *s, size_t n, size_t *i, size_t width, const char *what, int *out,
		 char *msg, size_t msglen)
{
	if (*i >= n) {
		snprintf(msg, msglen, "not a valid RFC3339 timestamp: end of string before %s",
			 what);
		return -1;
	}
	if (digits(s, n, *i, width, out) < 0) {
		snprintf(msg, msglen, "not a valid RFC3339 timestamp: cannot use \"%s\" as %s",
			 s + *i, what);
		return -1;
	}
	*i += width;
	return 0;
}

/* a separator of the layout ('-' or ':'), or the 'T' */
static int sep(const char *s, size_t n, size_t *i, char c, char *msg, size_t msglen)
{
	if (*i < n && s[*i] == c) {
		(*i)++;
		return 0;
	}
	if (c == 'T')
		snprintf(msg, msglen,
			 "not a valid RFC3339 timestamp: missing required time introducer 'T'");
	else if (*i >= n)
		snprintf(msg, msglen,
			 "not a valid RFC3339 timestamp: end of string where \"%c\" is expected",
			 c);
	else
		snprintf(msg, msglen,
			 "not a valid RFC3339 timestamp: found \"%s\" where \"%c\" is expected",
			 s + *i, c);
	return -1;
}

/* RFC 3339 as Go's time.Parse(time.RFC3339) reads it, errors worded as cty's parseTimestamp; 0 ok, -1 msg */
static int parse_rfc3339(const char *s, size_t n, tstamp *t, char *msg, size_t msglen)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0;
	size_t i = 0;

	memset(t, 0, sizeof(*t));
	if (field(s, n, &i, 4, "year", &y, msg, msglen) < 0 ||
	    sep(s, n, &i, '-', msg, msglen) < 0 ||
	    field(s, n, &i, 2, "month", &mo, msg, msglen) < 0)
		return -1;
	if (mo < 1 || mo > 12) {
		snprintf(msg, msglen, "not a valid RFC3339 timestamp: cannot use \"%s\" as month",
			 s + i);
		return -1;
	}
	if (sep(s, n, &i, '-', msg, msglen) < 0 ||
	    field(s, n, &i, 2, "day of month", &d, msg, msglen) < 0)
		return -1;
	if (d < 1 || d > 31) {
		snprintf(msg, msglen,
			 "not a valid RFC3339 timestamp: cannot use \"%s\" as day of month", s + i);
		return -1;
	}
	if (sep(s, n, &i, 'T', msg, msglen) < 0 || field(s, n, &i, 2, "hour", &h, msg, msglen) < 0)
		return -1;
	if (h > 23) {
		snprintf(msg, msglen, "not a valid RFC3339 timestamp: cannot use \"%s\" as hour",
			 s + i);
		return -1;
	}
	if (sep(s, n, &i, ':', msg, msglen) < 0 ||
	    field(s, n, &i, 2, "minute", &mi, msg, msglen) < 0)
		return -1;
	if (mi > 59) {
		snprintf(msg, msglen, "not a valid RFC3339 timestamp: cannot use \"%s\" as minute",
			 s + i);
		return -1;
	}
	if (sep(s, n, &i, ':', msg, msglen) < 0 ||
	    field(s, n, &i, 2, "second", &sec, msg, msglen) < 0)
		return -1;
	if (sec > 59) {
		snprintf(msg, msglen, "not a valid RFC3339 timestamp: cannot use \"%s\" as second",
			 s + i);
		return -1;
	}
	if (i < n && (s[i] == '.' || s[i] == ',') && i + 1 < n && s[i + 1] >= '0' &&
	    s[i + 1] <= '9') {
		long ns = 0;
		int k = 0;
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (k < 9) {
				ns = ns * 10 + (s[i] - '0');
				k++;
			}
			i++;
		}
		while (k++ < 9)
			ns *= 10;
		t->nsec = ns;
	}
	if (i >= n) {
		snprintf(msg, msglen,
			 "not a valid RFC3339 timestamp: end of string before UTC offset");
		return -1;
	}
	if (s[i] == 'Z') {
		t->utc = 1;
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		if (digits(s, n, i + 1, 2, &oh) < 0 || i + 3 >= n || s[i + 3] != ':' ||
		    digits(s, n, i + 4, 2, &om) < 0 || oh > 24 || om > 60) {
			snprintf(msg, msglen,
				 "not a valid RFC3339 timestamp: cannot use \"%s\" as UTC offset",
				 s + i);
			return -1;
		}
		t->offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
		i += 6;
	} else {
		snprintf(msg, msglen,
			 "not a valid RFC3339 timestamp: cannot use \"%s\" as UTC offset", s + i);
		return -1;
	}
	if (i != n) {
		/* Go: extra text, reported by cty as an unnamed segment */
		snprintf(msg, msglen,
			 "not a valid RFC3339 timestamp: cannot use \"%s\" as timestamp segment",
			 s + i);
		return -1;
	}
	if (d > days_in_month(y, mo)) {
		snprintf(msg, msglen, "not a valid RFC3339 timestamp: day out of range");
		return -1;
	}
	t->unix = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec -
		  t->offset;
	return 0;
}

static void zone_str(const tstamp *t, char *out, size_t n, int colon, int z_for_utc)
{
	int off = t->offset, a = off < 0 ? -off : off;
	if (z_for_utc && off == 0) {
		snprintf(out, n, "Z");
		return;
	}
	snprintf(out, n, colon ? "%c%02d:%02d" : "%c%02d%02d", off < 0 ? '-' : '+', a / 3600,
		 a % 3600 / 60);
}

static void rfc3339(const tstamp *t, atmo_buf *b)
{
	civil c;
	char z[16];
	to_civil(t, &c);
	zone_str(t, z, sizeof(z), 1, 1);
	atmo__buf_printf(b, "%04lld-%02u-%02uT%02u:%02u:%02u%s", c.year, c.month, c.day, c.hour,
			 c.min, c.sec, z);
}

static int format_date(atmo_buf *b, const char *f, size_t n, const tstamp *t, hcl_func_error *e)
{
	civil c;
	size_t i = 0;
	to_civil(t, &c);
	while (i < n) {
		char ch = f[i];
		size_t run = 1;
		if (ch == '\'') {
			/* 'literal text', with '' for a quote inside or alone */
			size_t j = i + 1;
			if (j < n && f[j] == '\'') {
				atmo__buf_putc(b, '\'');
				i += 2;
				continue;
			}
			for (;;) {
				if (j >= n)
					return hcl__fail(e, 0, "unterminated literal '");
				if (f[j] == '\'') {
					if (j + 1 < n && f[j + 1] == '\'') {
						atmo__buf_putc(b, '\'');
						j += 2;
						continue;
					}
					break;
				}
				atmo__buf_putc(b, f[j++]);
			}
			i = j + 1;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) {
			atmo__buf_putc(b, ch);
			i++;
			continue;
		}
		while (i + run < n && f[i + run] == ch)
			run++;
		switch (ch) {
		case 'Y':
			if (run == 2)
				atmo__buf_printf(b, "%02lld", c.year % 100);
			else if (run == 4)
				atmo__buf_printf(b, "%04lld", c.year);
			else
				goto bad_year;
			break;
		case 'M':
			if (run == 1)
				atmo__buf_printf(b, "%u", c.month);
			else if (run == 2)
				atmo__buf_printf(b, "%02u", c.month);
			else if (run == 3)
				atmo__buf_put(b, months[c.month - 1], 3);
			else if (run == 4)
				atmo__buf_puts(b, months[c.month - 1]);
			else
				return hcl__fail(e, 0,
						 "invalid date format verb \"%.*s\": month must be "
						 "\"M\", \"MM\", \"MMM\", or \"MMMM\"",
						 (int)run, f + i);
			break;
		case 'D':
			if (run == 1)
				atmo__buf_printf(b, "%u", c.day);
			else if (run == 2)
				atmo__buf_printf(b, "%02u", c.day);
			else
				return hcl__fail(e, 0,
						 "invalid date format verb \"%.*s\": day of month "
						 "must either be \"D\" or \"DD\"",
						 (int)run, f + i);
			break;
		case 'E':
			if (run == 3)
				atmo__buf_put(b, wdays[c.wday], 3);
			else if (run == 4)
				atmo__buf_puts(b, wdays[c.wday]);
			else
				return hcl__fail(e, 0,
						 "invalid date format verb \"%.*s\": day of week "
						 "must either be \"EEE\" or \"EEEE\"",
						 (int)run, f + i);
			break;
		case 'h':
			if (run == 1)
				atmo__buf_printf(b, "%u", c.hour);
			else if (run == 2)
				atmo__buf_printf(b, "%02u", c.hour);
			else
				return hcl__fail(e, 0,
						 "invalid date format verb \"%.*s\": 24-hour must "
						 "either be \"h\" or \"hh\"",
						 (int)run, f + i);
			break;
		case 'H': {
			unsigned h12 = c.hour % 12 ? c.hour % 12 : 12;
			if (run == 1)
				atmo__buf_printf(b, "%u", h12);
			else if (run == 2)
				atmo__buf_printf(b, "%02u", h12);
			else
				return hcl__fail(e, 0,
						 "invalid date format verb \"%.*s\": 12-hour must "
						 "either be \"H\" or \"HH\"",
						 (int)run, f + i);
			break;
		}
		case 'A':
		case 'a':
			if (run != 2)
				return hcl__fail(
					e, 0, "invalid date format verb \"%.*s\": must be \"%c%c\"",
					(int)run, f + i, ch, ch);
			if (ch == 'A')
				atmo__buf_puts(b, c.hour < 12 ? "AM" : "PM");
			else
				atmo__buf_puts(b, c.hour < 12 ? "am" : "pm");
			break;
		case 'm':
			if (run == 1)
				atmo__buf_printf(b, "%u", c.min);
			else if (run == 2)
				atmo__buf_printf(b, "%02u", c.min);
			else
				return hcl__fail(e, 0,
						 "invalid date format verb \"%.*s\": minute must "
						 "either be \"m\" or \"mm\"",
						 (int)run, f + i);
			break;
		case 's':
			if (run == 1)
				atmo__buf_printf(b, "%u", c.sec);
			else if (run == 2)
				atmo__buf_printf(b, "%02u", c.sec);
			else
				return hcl__fail(e, 0,
						 "invalid date format verb \"%.*s\": second must "
						 "either be \"s\" or \"ss\"",
						 (int)run, f + i);
			break;
		case 'Z': {
			char z[16];
			if (run == 1) {
				zone_str(t, z, sizeof(z), 1, 1);
			} else if (run == 3) {
				/* the zone's abbreviation: UTC for Z, none for numeric offsets */
				if (t->offset == 0)
					snprintf(z, sizeof(z), "UTC");
				else
					zone_str(t, z, sizeof(z), 0, 0);
			} else if (run == 4) {
				zone_str(t, z, sizeof(z), 0, 0);
			} else if (run == 5) {
				zone_str(t, z, sizeof(z), 1, 0);
			} else {
				return hcl__fail(e, 0,
						 "invalid date format verb \"%.*s\": timezone must "
						 "be Z, ZZZZ, or ZZZZZ",
						 (int)run, f + i);
			}
			atmo__buf_puts(b, z);
			break;
		}
		default:
			return hcl__fail(e, 0, "invalid date format verb \"%.*s\"", (int)run,
					 f + i);
		}
		i += run;
		continue;
	bad_year:
		return hcl__fail(
			e, 0,
			"invalid date format verb \"%.*s\": year must either be \"YY\" or \"YYYY\"",
			(int)run, f + i);
	}
	return 0;
}

static int f_formatdate(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			hcl_func_error *e)
{
	tstamp t;
	char msg[256];
	atmo_buf b = ATMO_BUF_INIT;
	if (parse_rfc3339(S(1), SL(1), &t, msg, sizeof(msg)) < 0)
		return hcl__fail(e, 1, "%s", msg);
	atmo__buf_puts(&b, "");
	if (format_date(&b, S(0), SL(0), &t, e) < 0) {
		atmo__buf_free(&b);
		return -1;
	}
	return hcl__ret_buf(out, &b, e);
}

static int f_timestamp(void *p, hcl_value *const *args, size_t n, hcl_value **out,
		       hcl_func_error *e)
{
	tstamp t = { 0 };
	atmo_buf b = ATMO_BUF_INIT;
	t.unix = (long long)time(NULL);
	t.utc = 1;
	rfc3339(&t, &b);
	return hcl__ret_buf(out, &b, e);
}

static int unix_value(const hcl_value *v, tstamp *t)
{
	double d = v->u.num;
	if (!isfinite(d) || d != floor(d) || fabs(d) > 1e15)
		return -1;
	memset(t, 0, sizeof(*t));
	t->unix = (long long)d;
	t->utc = 1;
	return 0;
}

static int f_formattimestamp(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			     hcl_func_error *e)
{
	tstamp t;
	char msg[256];
	atmo_buf b = ATMO_BUF_INIT;
	hcl_value *tv = args[1];
	int is_x = strcmp(S(0), "X") == 0;

	if (tv->is_unknown)
		return hcl__ret(out, hcl_unknown(hcl_type_string()), e);
	if (tv->type->kind == HCL_T_STRING && !tv->is_null) {
		if (parse_rfc3339(tv->u.str.s, tv->u.str.len, &t, msg, sizeof(msg)) < 0)
			return hcl__fail(e, 1, is_x ? "timestamp string must be RFC3339" : "%s",
					 msg);
	} else if (tv->type->kind == HCL_T_NUMBER && !tv->is_null) {
		if (unix_value(tv, &t) < 0)
			return hcl__fail(e, 1, "unix timestamp must be an integer");
		t.utc = 1;
	} else {
		return hcl__fail(e, 1, "must be a string timestamp or a unix timestamp number");
	}
	if (is_x) {
		atmo__buf_printf(&b, "%lld", t.unix);
		return hcl__ret_buf(out, &b, e);
	}
	atmo__buf_puts(&b, "");
	if (format_date(&b, S(0), SL(0), &t, e) < 0) {
		atmo__buf_free(&b);
		return -1;
	}
	return hcl__ret_buf(out, &b, e);
}

/* Go's time.ParseDuration into nanoseconds (a double is enough for timeadd); -1 with Go's message */
static int parse_duration(const char *s, size_t n, double *out, char *msg, size_t msglen)
{
	size_t i = 0;
	double total = 0;
	int neg = 0;
	if (i < n && (s[i] == '-' || s[i] == '+')) {
		neg = s[i] == '-';
		i++;
	}
	if (n - i == 1 && s[i] == '0') {
		*out = 0;
		return 0;
	}
	if (i == n)
		goto invalid;
	while (i < n) {
		double v = 0, frac = 0, scale = 1, unit;
		int have = 0;
		size_t us;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (s[i++] - '0');
			have = 1;
		}
		if (i < n && s[i] == '.') {
			i++;
			while (i < n && s[i] >= '0' && s[i] <= '9') {
				scale /= 10;
				frac += (s[i++] - '0') * scale;
				have = 1;
			}
		}
		if (!have)
			goto invalid;
		us = i;
		while (i < n && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9'))
			i++;
		if (us == i) {
			snprintf(msg, msglen, "time: missing unit in duration \"%s\"", s);
			return -1;
		}
#define UNIT(lit, val)                                                                             \
	(i - us == sizeof(lit) - 1 && !strncmp(s + us, lit, i - us) && ((unit = (val)), 1))
		if (!(UNIT("ns", 1) || UNIT("us", 1e3) || UNIT("\xc2\xb5s", 1e3) ||
		      UNIT("\xce\xbcs", 1e3) || UNIT("ms", 1e6) || UNIT("s", 1e9) ||
		      UNIT("m", 60e9) || UNIT("h", 3600e9))) {
			snprintf(msg, msglen, "time: unknown unit \"%.*s\" in duration \"%s\"",
				 (int)(i - us), s + us, s);
			return -1;
		}
#undef UNIT
		total += (v + frac) * unit;
	}
	*out = neg ? -total : total;
	return 0;
invalid:
	snprintf(msg, msglen, "time: invalid duration \"%s\"", s);
	return -1;
}

static int f_timeadd(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	tstamp t;
	char msg[256];
	double ns;
	atmo_buf b = ATMO_BUF_INIT;

	if (parse_rfc3339(S(0), SL(0), &t, msg, sizeof(msg)) < 0)
		return hcl__fail(e, -1, "%s", msg);
	if (parse_duration(S(1), SL(1), &ns, msg, sizeof(msg)) < 0)
		return hcl__fail(e, -1, "%s", msg);
	{
		double tot = (double)t.nsec + ns, secs = floor(tot / 1e9);
		if (fabs(secs) > 1e15)
			return hcl__fail(e, 1, "time: invalid duration \"%s\"", S(1));
		t.unix += (long long)secs;
		t.nsec = (long)(tot - secs * 1e9);
	}
	rfc3339(&t, &b);
	return hcl__ret_buf(out, &b, e);
}

/* ISO 8601 week-numbering year and week */
static void iso_week(const civil *c, long long *year, int *week)
{
	int wday = c->wday == 0 ? 7 : (int)c->wday; /* Monday = 1 */
	long long thursday_days;
	long long y;
	unsigned m, d;
	long long days = days_from_civil(c->year, c->month, c->day);
	thursday_days = days + (4 - wday);
	civil_from_days(thursday_days, &y, &m, &d);
	*year = y;
	*week = (int)((thursday_days - days_from_civil(y, 1, 1)) / 7 + 1);
}

static int f_unixtimestampparse(void *p, hcl_value *const *args, size_t n, hcl_value **out,
				hcl_func_error *e)
{
	static const char *const keys[] = { "day",     "hour",    "iso_week",     "iso_year",
					    "minute",  "month",   "month_name",   "rfc3339",
					    "second",  "weekday", "weekday_name", "year",
					    "year_day" };
	tstamp t;
	civil c;
	hcl_value *vals[13];
	long long iy;
	int iw;
	atmo_buf b = ATMO_BUF_INIT;
	size_t i;

	if (unix_value(args[0], &t) < 0)
		return hcl__fail(e, 0, "unix timestamp must be an integer");
	to_civil(&t, &c);
	iso_week(&c, &iy, &iw);
	rfc3339(&t, &b);
	if (b.oom) {
		atmo__buf_free(&b);
		return hcl__nomem(e);
	}
	vals[0] = hcl_number(c.day);
	vals[1] = hcl_number(c.hour);
	vals[2] = hcl_number(iw);
	vals[3] = hcl_number((double)iy);
	vals[4] = hcl_number(c.min);
	vals[5] = hcl_number(c.month);
	vals[6] = hcl_cstring(months[c.month - 1]);
	vals[7] = hcl_string(b.ptr, b.len);
	vals[8] = hcl_number(c.sec);
	vals[9] = hcl_number(c.wday);
	vals[10] = hcl_cstring(wdays[c.wday]);
	vals[11] = hcl_number((double)c.year);
	vals[12] = hcl_number(c.yday);
	atmo__buf_free(&b);
	for (i = 0; i < 13; i++)
		if (!vals[i]) {
			for (i = 0; i < 13; i++)
				hcl_value_unref(vals[i]);
			return hcl__nomem(e);
		}
	return hcl__ret(out, hcl_object(keys, vals, 13), e);
}

static const hcl_param p_formatdate[] = { HCL__P("format", HCL__STR), HCL__P("time", HCL__STR) };
static const hcl_param p_formattimestamp[] = {
	HCL__P("format", HCL__STR), { .name = "time", .type = HCL__DYN, .allow_dynamic = 1 }
};
static const hcl_param p_timeadd[] = { HCL__P("timestamp", HCL__STR),
				       HCL__P("duration", HCL__STR) };
static const hcl_param p_unix[] = { HCL__P("unix_timestamp", HCL__NUM) };

#define FN(nm, params, impl)                                                                       \
	{                                                                                          \
		nm, params, sizeof(params) / sizeof(params[0]), NULL, impl, NULL                   \
	}

const hcl_func hcl__fn_time[] = {
	FN("formatdate", p_formatdate, f_formatdate),
	FN("formattimestamp", p_formattimestamp, f_formattimestamp),
	FN("timeadd", p_timeadd, f_timeadd),
	{ "timestamp", NULL, 0, NULL, f_timestamp, NULL },
	FN("unixtimestampparse", p_unix, f_unixtimestampparse),
};
const size_t hcl__fn_time_n = sizeof(hcl__fn_time) / sizeof(hcl__fn_time[0]);
