require "ihave";

# 5: error ends the script with a runtime error carrying the message
if header :contains "subject" "bad" {
	error "subject contains a forbidden word";
}
discard;
