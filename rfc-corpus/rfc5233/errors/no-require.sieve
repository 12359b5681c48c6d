require "envelope";

if envelope :detail "to" "foo" {
	discard;
}
