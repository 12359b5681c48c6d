require "ihave";

# RFC 5463 4: an extension this interpreter lacks; its commands inside the
# guarded block are not an error
if ihave "x-no-such-extension" {
	x_no_such_command "ignored" :tag 12;
	if x_no_such_test { stop; }
}

if not ihave ["fileinto", "x-no-such-extension"] {
	discard;
}
