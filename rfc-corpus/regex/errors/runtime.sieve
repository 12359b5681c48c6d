require ["regex", "variables", "fileinto"];
set "bad" "[unclosed";
# three To values and two tests: the pattern is compiled, and its error
# reported, once per run
if address :regex "to" "${bad}" { discard; }
if header :regex "to" ["${bad}", "three"] { fileinto "right"; }
