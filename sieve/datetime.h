/*
 * datetime.h -- RFC 5322 date-time values for the "date" extension (RFC
 * 5260): parsing a header's date (obsolete forms of RFC 5322 section 4.3
 * included), the "+hhmm" zones of :zone, and the date parts of RFC 5260
 * section 4.2 computed on a proleptic Gregorian calendar of our own (no
 * time_t, gmtime or TZ involved, so every platform gives the same text).
 */
#ifndef SIEVE_DATETIME_H
#define SIEVE_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An instant and the zone it was written in. */
struct sieve_datetime {
	int64_t t;		/* seconds since 1970-01-01T00:00:00Z */
	int zone;		/* minutes east of UTC */
};

/*
 * Parses an RFC 5322 date-time:
 *     [day-of-week ","] day month year hour ":" minute [":" second] zone
 * with comments and folding white space anywhere between tokens, names
 * case-insensitive, 2- and 3-digit years (RFC 5322 4.3: 00-49 are 20xx,
 * 50-99 and 3 digits add 1900), the alphabetic zones UT, GMT, EST, EDT,
 * CST, CDT, MST, MDT, PST, PDT and the military letters (those as
 * +0000, as RFC 5322 4.3 advises). Lenient where mail is commonly
 * sloppy: the day of the week is not checked against the date, a
 * missing zone is +0000, a zone name may follow a numeric zone ("+0200
 * CEST"). Refused: anything else left over, a date that is not in the
 * calendar (February 30th), hours over 23, minutes over 59, seconds over
 * 60 (a leap second counts as the next minute's first), a zone with more
 * than 59 minutes, years before 1900 or after 9999.
 * s need not be NUL-terminated. Returns false when s is no date.
 */
bool sieve_datetime_parse(const char *s, size_t len,
			  struct sieve_datetime *out);

/* RFC 5260 4.1 time-zone = ("+" / "-") 4DIGIT, the minutes 00-59. */
bool sieve_datetime_parse_zone(const char *s, size_t len, int *minutes);

/* Is name a date part of RFC 5260 4.2 (case-insensitive)? */
bool sieve_datetime_part_known(const char *name);

/*
 * Writes the date part `name` of instant t seen in zone (minutes east of
 * UTC) into buf (64 bytes are always enough). Returns buf, or NULL for
 * an unknown part.
 */
const char *sieve_datetime_part(char *buf, size_t cap, const char *name,
				int64_t t, int zone);

/* The zone offset (minutes east of UTC) of the system's local time
 * (TZ) at instant t. */
int sieve_datetime_local_zone(int64_t t);

#endif
