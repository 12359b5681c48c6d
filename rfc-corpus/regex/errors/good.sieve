require ["regex", "variables"];
# keys with variables are checked when the script runs
if header :regex "subject" "${pattern}(" { discard; }
if header :regex :comparator "i;octet" "subject" ["^a", "[[:alpha:]]+$"] { discard; }
