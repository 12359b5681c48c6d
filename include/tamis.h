/*
 * tamis.h -- version and exit codes shared by every tamis program.
 *
 * Exit codes follow sysexits(3), the contract of Postfix's pipe(8):
 * only EX_TEMPFAIL (and EX_OSERR) make Postfix try again later.
 */
#ifndef TAMIS_H
#define TAMIS_H

#include "tamis_paths.h"

#define TAMIS_EX_OK		0
#define TAMIS_EX_USAGE		64
#define TAMIS_EX_DATAERR	65
#define TAMIS_EX_NOINPUT	66
#define TAMIS_EX_NOUSER		67
#define TAMIS_EX_SOFTWARE	70
#define TAMIS_EX_OSERR		71
#define TAMIS_EX_CANTCREAT	73
#define TAMIS_EX_IOERR		74
#define TAMIS_EX_TEMPFAIL	75
#define TAMIS_EX_NOPERM		77
#define TAMIS_EX_CONFIG		78

#endif
