# the if has no block, and its test lacks its arguments: both reported
if header :contains ;
# a tag written without its parameter, and the next word parsed as a
# sub-test: the bad tag and the stray sub-test are both reported
if not header :comparator subject "x" { keep; }
# inside a failed allof, each test is still checked
if allof :bogus (header :is "a", exists) { }
