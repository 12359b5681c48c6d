require "environment";

# the name is a string, not a list; and keys are required
if environment ["host", "domain"] "x" {
	discard;
}
if environment "host" {
	discard;
}
