#!/usr/bin/env python3
"""gen-rules.py -- deterministic Sieve rule sets for the engine benchmark.

Writes a Sieve script (RFC 5228 base commands plus "fileinto" and
"envelope" only) to standard output:

    gen-rules.py [N] [--seed S]        N rules, default 10000 (the big set)
    gen-rules.py --typical [--seed S]  a typical personal script, 50 rules

A "rule" is one `if` or `elsif` whose block is `fileinto "Folder/<n>"`, n
being the rule's number (1..N).  The tests are a realistic mix: header
:contains/:is/:matches on Subject, From, To, List-Id and X-Spam-Flag;
address :domain/:localpart/:all on From, To, Cc; envelope :domain on from
and to; exists; size :over/:under; allof, anyof and not.  No `stop`
anywhere, so every top-level rule is evaluated; a few rules are wrapped in
always-true group blocks and a few form if/elsif chains of misses.

Almost every rule is built not to match bench/messages/4k.eml delivered
with envelope from HIT_ENV_FROM and to HIT_ENV_TO (see below); a handful
("hit" rules, placed at fixed spread-out positions) are built to match it.
The script's header comment lists the folders of those hit rules on a line
starting "# expect-fileinto:", so a harness can check that an engine really
evaluated the script.  Same arguments -> byte-identical script (the
generator uses its own random.Random(seed), nothing else varies).
"""

import argparse
import random
import sys

# Envelope the benchmark passes to sieve-test together with 4k.eml.
HIT_ENV_FROM = "dev-bounces+alice=example.net@lists.example.org"
HIT_ENV_TO = "alice@example.net"

# Tests written to be true for 4k.eml (From claire.dupre@example.com, To
# dev@lists.example.org, Cc bruno.martin@example.com, List-Id
# dev.lists.example.org, X-Spam-Flag NO, Subject "Re: [dev] Réunion de
# planification du sprint 42 ...", about 4 KB).
HIT_TESTS = [
    'header :contains "List-Id" "dev.lists.example.org"',
    'allof (address :domain "From" "example.com",\n'
    '       header :contains "Subject" "sprint 42")',
    'envelope :domain "from" "lists.example.org"',
    'anyof (header :is "X-Spam-Flag" "YES",\n'
    '       address :localpart "Cc" "bruno.martin")',
    'allof (exists "List-Id", size :over 2K,\n'
    '       not header :is "X-Spam-Flag" "YES")',
    'header :matches "Subject" "*[dev]*sprint*"',
    'address :all "To" "dev@lists.example.org"',
    'envelope :domain "to" "example.net"',
]

# Vocabulary for rules that must not match.  Every domain ends in the
# reserved ".example" TLD (the message only uses .com/.org/.net), and no
# subject phrase occurs in the message's decoded Subject.
VENDORS = [
    "acme", "globex", "initech", "umbrella", "hooli", "vandelay",
    "wonka", "stark", "wayne", "tyrell", "cyberdyne", "soylent",
    "gringotts", "oscorp", "monarch", "aperture", "blackmesa", "dunder",
    "pied-piper", "massive", "virtucon", "nakatomi", "zorg", "duff",
]
SERVICES = [
    "billing", "noreply", "newsletter", "alerts", "support", "news",
    "notifications", "orders", "marketing", "security", "hr", "jobs",
    "invoices", "shipping", "team", "digest", "calendar", "feedback",
]
SUBJECT_WORDS = [
    "invoice", "webinar", "newsletter", "order confirmation",
    "password reset", "delivery failed", "quarterly report",
    "build failed", "security alert", "weekly digest",
    "meeting invitation", "payment received", "your receipt",
    "account statement", "shipping update", "special offer",
    "job alert", "pull request", "backup completed", "disk quota",
    "travel itinerary", "survey", "limited time", "action required",
]
LIST_NAMES = [
    "announce", "users", "general", "commits", "bugs", "security",
    "devel", "packaging", "infra", "design", "release", "i18n",
]
MISSING_HEADERS = [
    "X-Campaign-Id", "X-Newsletter", "X-Mailgun-Sid", "X-Report-Abuse",
    "X-Mailchimp-Id", "X-Facebook-Notify", "X-Jira-Fingerprint",
    "X-GitHub-Reason", "X-Bugzilla-Product", "X-Cron-Env",
]


def vendor_domain(r):
    """A domain that does not occur in the message."""
    return "%s%d.example" % (r.choice(VENDORS), r.randrange(1, 500))


def subject_phrase(r):
    return "%s %d" % (r.choice(SUBJECT_WORDS), r.randrange(1, 10000))


def miss_header_contains(r):
    kind = r.randrange(4)
    if kind == 0:
        return 'header :contains "Subject" "%s"' % subject_phrase(r)
    if kind == 1:
        return 'header :contains "From" "%s@%s"' % (
            r.choice(SERVICES), vendor_domain(r))
    if kind == 2:
        return 'header :contains "List-Id" "%s.lists.%s"' % (
            r.choice(LIST_NAMES), vendor_domain(r))
    return 'header :contains ["To", "Cc"] "%s"' % vendor_domain(r)


def miss_header_is(r):
    kind = r.randrange(3)
    if kind == 0:
        return 'header :is "X-Spam-Flag" "YES"'
    if kind == 1:
        return 'header :is "Subject" "%s"' % subject_phrase(r).capitalize()
    return 'header :is "To" "%s@%s"' % (r.choice(SERVICES), vendor_domain(r))


def miss_header_matches(r):
    kind = r.randrange(3)
    if kind == 0:
        return 'header :matches "Subject" "*%s*%d*"' % (
            r.choice(SUBJECT_WORDS), r.randrange(1, 100))
    if kind == 1:
        return 'header :matches "From" "*@%s.%s*.example*"' % (
            r.choice(SERVICES), r.choice(VENDORS))
    return 'header :matches "List-Id" "*<%s.*.%s*>"' % (
        r.choice(LIST_NAMES), r.choice(VENDORS))


def miss_address(r):
    part = r.choice(["From", "To", "Cc"])
    kind = r.randrange(3)
    if kind == 0:
        return 'address :domain "%s" "%s"' % (part, vendor_domain(r))
    if kind == 1:
        return 'address :localpart :is "%s" "%s%d"' % (
            part, r.choice(SERVICES), r.randrange(1, 100))
    return 'address :all :is ["From", "Sender"] "%s@%s"' % (
        r.choice(SERVICES), vendor_domain(r))


def miss_envelope(r):
    return 'envelope :domain "%s" "%s"' % (
        r.choice(["from", "to"]), vendor_domain(r))


def miss_exists(r):
    return 'exists "%s"' % r.choice(MISSING_HEADERS)


def miss_size(r):
    if r.randrange(2):
        return "size :over %dM" % r.randrange(1, 50)
    return "size :under %d" % r.randrange(100, 1000)


def miss_not(r):
    return r.choice([
        'not exists "List-Id"',
        'not exists ["From", "Date"]',
        'not address :domain "To" "lists.example.org"',
        'not header :contains "X-Spam-Flag" "NO"',
    ])


SIMPLE_MISSES = [
    miss_header_contains, miss_header_is, miss_header_matches,
    miss_address, miss_envelope, miss_exists, miss_size, miss_not,
]


def miss_allof(r):
    # Often the first test is true for the message, so the engine has to
    # evaluate the second one too before the rule fails.
    first = r.choice([
        'exists "List-Id"', 'address :domain "To" "lists.example.org"',
        'size :over 1K', 'header :contains "X-Spam-Flag" "NO"',
        miss_address(r),
    ])
    second = r.choice(SIMPLE_MISSES[:6])(r)
    return "allof (%s,\n       %s)" % (first, second)


def miss_anyof(r):
    n = r.randrange(2, 4)
    tests = [r.choice(SIMPLE_MISSES)(r) for _ in range(n)]
    return "anyof (" + ",\n       ".join(tests) + ")"


def miss_not_anyof(r):
    # not anyof(true, ...) is false.
    return ('not anyof (exists "Subject",\n           %s)'
            % r.choice(SIMPLE_MISSES)(r))


# Weights: a big server-side/shared rule set, and a personal script where
# list sorting and sender rules dominate.
WEIGHTS_BIG = [
    (miss_header_contains, 22), (miss_header_is, 8),
    (miss_header_matches, 8), (miss_address, 16), (miss_envelope, 8),
    (miss_exists, 4), (miss_size, 4), (miss_not, 3), (miss_allof, 14),
    (miss_anyof, 10), (miss_not_anyof, 3),
]
WEIGHTS_TYPICAL = [
    (miss_header_contains, 30), (miss_header_is, 6),
    (miss_header_matches, 6), (miss_address, 24), (miss_envelope, 4),
    (miss_exists, 6), (miss_size, 4), (miss_allof, 12), (miss_anyof, 8),
]


def pick(r, weights):
    total = sum(w for _, w in weights)
    x = r.randrange(total)
    for fn, w in weights:
        if x < w:
            return fn
        x -= w
    raise AssertionError("unreachable")


def hit_positions(n, nhits):
    """Spread nhits rule numbers evenly over 1..n (deterministic)."""
    return sorted({1 + (2 * k + 1) * n // (2 * nhits) for k in range(nhits)})


def generate(n, seed, typical):
    """Return (script text, list of folders expected to be filed into)."""
    r = random.Random(seed)
    weights = WEIGHTS_TYPICAL if typical else WEIGHTS_BIG
    if typical:
        nhits = min(3, n)
    else:
        nhits = max(1, min(len(HIT_TESTS), n // 1000))
    hits = hit_positions(n, nhits)
    hit_set = set(hits)
    expect = ["Folder/%d" % h for h in hits]

    out = []
    out.append("# Generated by bench/gen-rules.py %s--seed %d: %d rules."
               % ("--typical " if typical else "%d " % n, seed, n))
    out.append("# Matches bench/messages/4k.eml with envelope from <%s>"
               % HIT_ENV_FROM)
    out.append("# and to <%s> on these rules only:" % HIT_ENV_TO)
    out.append("# expect-fileinto: " + " ".join(expect))
    out.append('require ["fileinto", "envelope"];')
    out.append("")

    rule = 1
    hit_index = 0
    while rule <= n:
        if rule in hit_set:
            test = HIT_TESTS[hit_index % len(HIT_TESTS)]
            hit_index += 1
            out.append(emit_if(test, rule, ""))
            rule += 1
            continue
        # Misses only from here to the next hit (chains and groups must
        # never contain a hit, so an elsif is never skipped by a match).
        room = n - rule + 1
        nxt = [h for h in hits if h > rule]
        if nxt:
            room = nxt[0] - rule
        shape = r.randrange(100)
        if typical:
            shape = 80 if shape >= 92 else 0    # mostly flat, few chains
        if shape < 80 or room < 2:
            if r.randrange(25) == 0:
                out.append("# %s" % r.choice(SUBJECT_WORDS).capitalize())
            out.append(emit_if(pick(r, weights)(r), rule, ""))
            rule += 1
        elif shape < 93:
            # if/elsif chain of misses: every branch gets evaluated.
            k = min(room, r.randrange(2, 6))
            out.append(emit_chain([(pick(r, weights)(r), rule + i)
                                   for i in range(k)], ""))
            rule += k
        else:
            # An always-true group: all rules inside are evaluated.
            k = min(room, r.randrange(3, 12))
            guard = r.choice(['exists "From"', 'size :over 100',
                              'not exists "X-Never-Present"',
                              'true'])
            out.append("if %s {" % guard)
            for i in range(k):
                out.append(emit_if(pick(r, weights)(r), rule + i, "  "))
            out.append("}")
            rule += k
    out.append("")
    return "\n".join(out), expect


def emit_if(test, rule, prefix):
    """One rule as a complete `if` command."""
    return emit_chain([(test, rule)], prefix)


def emit_chain(rules, prefix):
    """An if/elsif chain; continuation lines of a multi-line test are
    aligned under the test's first character."""
    lines = []
    for i, (test, rule) in enumerate(rules):
        keyword = "if" if i == 0 else "} elsif"
        test = test.replace("\n", "\n" + " " * (len(keyword) + 1))
        lines.extend((keyword + " " + test + " {").split("\n"))
        lines.append('  fileinto "Folder/%d";' % rule)
    lines.append("}")
    return "\n".join(prefix + line for line in lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", nargs="?", type=int, default=None,
                    help="number of rules (default 10000, or 50 with "
                    "--typical)")
    ap.add_argument("--seed", type=int, default=1, help="default 1")
    ap.add_argument("--typical", action="store_true",
                    help="a typical personal script (default 50 rules)")
    ap.add_argument("--expect", action="store_true",
                    help="print only the expected folders, one a line")
    args = ap.parse_args()
    n = args.n if args.n is not None else (50 if args.typical else 10000)
    if n < 1:
        ap.error("N must be at least 1")
    text, expect = generate(n, args.seed, args.typical)
    if args.expect:
        sys.stdout.write("".join(f + "\n" for f in expect))
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
