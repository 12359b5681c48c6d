/*
 * datetime.c -- RFC 5322 date-time parsing and the RFC 5260 date parts
 * (see datetime.h). Implemented: section 3.3 of RFC 5322 with the
 * obsolete syntax of section 4.3 (comments and folding anywhere, 2- and
 * 3-digit years, alphabetic zones), calendar checks, and year, month,
 * day, date, julian, hour, minute, second, time, iso8601, std11, zone,
 * weekday. Calendar arithmetic is done on day numbers (days since
 * 1970-01-01, proleptic Gregorian), independent of time_t.
 */
#include "datetime.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- calendar ---------------------------------------------------------- */

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Day number of y-m-d: the calendar repeats every 400 years (146097
 * days); counting years from March puts the leap day last. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool
leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int64_t y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
				      31, 30, 31 };

	return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

static const char *const month_names[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static const char *const day_names[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

/* ---- parsing ----------------------------------------------------------- */

struct cursor {
	const char *p, *end;
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Skips folding white space and (nested) comments; false on a comment
 * that never ends. */
static bool
skip_cfws(struct cursor *c)
{
	while (c->p < c->end) {
		if (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' ||
		    *c->p == '\n') {
			c->p++;
		} else if (*c->p == '(') {
			unsigned depth = 0;

			do {
				if (*c->p == '\\' && c->p + 1 < c->end)
					c->p++;
				else if (*c->p == '(')
					depth++;
				else if (*c->p == ')')
					depth--;
				c->p++;
			} while (depth > 0 && c->p < c->end);
			if (depth > 0)
				return false;
		} else {
			break;
		}
	}
	return true;
}

/* Reads 1..max digits; *ndigits tells how many there were. */
static bool
read_number(struct cursor *c, unsigned max, int *value, unsigned *ndigits)
{
	unsigned n = 0;
	int v = 0;

	while (c->p < c->end && is_digit(*c->p)) {
		if (++n > max)
			return false;
		v = v * 10 + (*c->p++ - '0');
	}
	if (n == 0)
		return false;
	*value = v;
	if (ndigits)
		*ndigits = n;
	return true;
}

static size_t
read_word(struct cursor *c, const char **word)
{
	*word = c->p;
	while (c->p < c->end && is_alpha(*c->p))
		c->p++;
	return (size_t)(c->p - *word);
}

static int
find_name(const char *const *names, unsigned n, const char *w, size_t len)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (len == strlen(names[i]) &&
		    strncasecmp(names[i], w, len) == 0)
			return (int)i;
	return -1;
}

/* RFC 5322 4.3 obs-zone; military letters other than Z carry no
 * reliable meaning and count as +0000. */
static bool
alpha_zone(const char *w, size_t len, int *zone)
{
	static const struct {
		const char *name;
		int minutes;
	} zones[] = {
		{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 },
		{ "EST", -300 }, { "EDT", -240 }, { "CST", -360 },
		{ "CDT", -300 }, { "MST", -420 }, { "MDT", -360 },
		{ "PST", -480 }, { "PDT", -420 },
	};
	size_t i;

	if (len == 1 && w[0] != 'j' && w[0] != 'J') {
		*zone = 0;
		return true;
	}
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (strlen(zones[i].name) == len &&
		    strncasecmp(zones[i].name, w, len) == 0) {
			*zone = zones[i].minutes;
			return true;
		}
	return false;
}

bool
sieve_datetime_parse_zone(const char *s, size_t len, int *minutes)
{
	int hh, mm;
	size_t i;

	if (len != 5 || (s[0] != '+' && s[0] != '-'))
		return false;
	for (i = 1; i < 5; i++)
		if (!is_digit(s[i]))
			return false;
	hh = (s[1] - '0') * 10 + (s[2] - '0');
	mm = (s[3] - '0') * 10 + (s[4] - '0');
	if (mm > 59)
		return false;
	if (minutes)
		*minutes = (s[0] == '-' ? -1 : 1) * (hh * 60 + mm);
	return true;
}

static bool
parse_zone(struct cursor *c, int *zone)
{
	const char *w;
	size_t len;

	if (c->p == c->end) {
		*zone = 0;		/* missing: taken as UTC */
		return true;
	}
	if (*c->p == '+' || *c->p == '-') {
		if (c->end - c->p < 5 ||
		    (c->end - c->p > 5 && is_digit(c->p[5])) ||
		    !sieve_datetime_parse_zone(c->p, 5, zone))
			return false;
		c->p += 5;
		if (!skip_cfws(c))
			return false;
		/* a zone name after the offset ("+0200 CEST") */
		if (read_word(c, &w) > 0 && !skip_cfws(c))
			return false;
		return true;
	}
	len = read_word(c, &w);
	return len > 0 && alpha_zone(w, len, zone) && skip_cfws(c);
}

bool
sieve_datetime_parse(const char *s, size_t len, struct sieve_datetime *out)
{
	struct cursor c = { s, s + len };
	const char *w;
	size_t wlen;
	int day, month, year, hour, minute, second = 0, zone;
	unsigned ydigits;

	if (s == NULL || !skip_cfws(&c))
		return false;
	/* [day-of-week ","] */
	if (c.p < c.end && is_alpha(*c.p)) {
		wlen = read_word(&c, &w);
		if (find_name(day_names, 7, w, wlen) < 0)
			return false;
		if (!skip_cfws(&c))
			return false;
		if (c.p < c.end && *c.p == ',')
			c.p++;
		if (!skip_cfws(&c))
			return false;
	}
	/* day month year */
	if (!read_number(&c, 2, &day, NULL) || !skip_cfws(&c))
		return false;
	wlen = read_word(&c, &w);
	if ((month = find_name(month_names, 12, w, wlen)) < 0)
		return false;
	month++;
	if (!skip_cfws(&c) || !read_number(&c, 4, &year, &ydigits) ||
	    !skip_cfws(&c))
		return false;
	if (ydigits == 2)
		year += year < 50 ? 2000 : 1900;
	else if (ydigits == 3)
		year += 1900;
	/* hour ":" minute [":" second] */
	if (!read_number(&c, 2, &hour, NULL) || !skip_cfws(&c) ||
	    c.p == c.end || *c.p++ != ':' || !skip_cfws(&c) ||
	    !read_number(&c, 2, &minute, NULL) || !skip_cfws(&c))
		return false;
	if (c.p < c.end && *c.p == ':') {
		c.p++;
		if (!skip_cfws(&c) || !read_number(&c, 2, &second, NULL) ||
		    !skip_cfws(&c))
			return false;
	}
	if (!parse_zone(&c, &zone) || c.p != c.end)
		return false;
	if (year < 1900 || year > 9999 || day < 1 ||
	    day > month_days(year, month) || hour > 23 || minute > 59 ||
	    second > 60)
		return false;
	out->zone = zone;
	out->t = days_from_civil(year, month, day) * 86400 + hour * 3600 +
		 minute * 60 + second - (int64_t)zone * 60;
	return true;
}

/* ---- date parts -------------------------------------------------------- */

static const char *const part_names[] = {
	"year", "month", "day", "date", "julian", "hour", "minute", "second",
	"time", "iso8601", "std11", "zone", "weekday", NULL
};

enum part {
	P_YEAR, P_MONTH, P_DAY, P_DATE, P_JULIAN, P_HOUR, P_MINUTE, P_SECOND,
	P_TIME, P_ISO8601, P_STD11, P_ZONE, P_WEEKDAY
};

static int
part_index(const char *name)
{
	int i;

	for (i = 0; part_names[i]; i++)
		if (strcasecmp(part_names[i], name) == 0)
			return i;
	return -1;
}

bool
sieve_datetime_part_known(const char *name)
{
	return part_index(name) >= 0;
}

/* "+hhmm"; a zero offset has the plus sign (RFC 5260 4.2). */
static void
format_zone(char *buf, size_t cap, int zone, bool colon)
{
	int a = zone < 0 ? -zone : zone;

	snprintf(buf, cap, "%c%02d%s%02d", zone < 0 ? '-' : '+', a / 60,
		 colon ? ":" : "", a % 60);
}

const char *
sieve_datetime_part(char *buf, size_t cap, const char *name, int64_t t,
		    int zone)
{
	int64_t local = t + (int64_t)zone * 60;
	int64_t days = floor_div(local, 86400), y;
	int secs = (int)(local - days * 86400), m, d;
	int hh = secs / 3600, mi = secs / 60 % 60, ss = secs % 60;
	int wday = (int)(((days + 4) % 7 + 7) % 7);	/* 1970-01-01: Thu */
	long long yy;
	char z[16];

	civil_from_days(days, &y, &m, &d);
	yy = (long long)y;
	switch (part_index(name)) {
	case P_YEAR:
		snprintf(buf, cap, "%04lld", yy);
		break;
	case P_MONTH:
		snprintf(buf, cap, "%02d", m);
		break;
	case P_DAY:
		snprintf(buf, cap, "%02d", d);
		break;
	case P_DATE:
		snprintf(buf, cap, "%04lld-%02d-%02d", yy, m, d);
		break;
	case P_JULIAN:
		/* Modified Julian Day 0 = 1858-11-17 = day -40587 */
		snprintf(buf, cap, "%lld", (long long)(days + 40587));
		break;
	case P_HOUR:
		snprintf(buf, cap, "%02d", hh);
		break;
	case P_MINUTE:
		snprintf(buf, cap, "%02d", mi);
		break;
	case P_SECOND:
		snprintf(buf, cap, "%02d", ss);
		break;
	case P_TIME:
		snprintf(buf, cap, "%02d:%02d:%02d", hh, mi, ss);
		break;
	case P_ISO8601:
		/* RFC 3339 date-time; a zero offset is "Z" */
		if (zone == 0)
			strcpy(z, "Z");
		else
			format_zone(z, sizeof(z), zone, true);
		snprintf(buf, cap, "%04lld-%02d-%02dT%02d:%02d:%02d%s", yy, m,
			 d, hh, mi, ss, z);
		break;
	case P_STD11:
		format_zone(z, sizeof(z), zone, false);
		snprintf(buf, cap, "%s, %02d %s %04lld %02d:%02d:%02d %s",
			 day_names[wday], d, month_names[m - 1], yy, hh, mi,
			 ss, z);
		break;
	case P_ZONE:
		format_zone(buf, cap, zone, false);
		break;
	case P_WEEKDAY:
		snprintf(buf, cap, "%d", wday);
		break;
	default:
		return NULL;
	}
	return buf;
}

int
sieve_datetime_local_zone(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int64_t local;

	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	local = days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1,
				tm.tm_mday) * 86400 + tm.tm_hour * 3600 +
		tm.tm_min * 60 + tm.tm_sec;
	return (int)floor_div(local - t, 60);
}
