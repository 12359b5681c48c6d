require "body";
# RFC 5173 5.1
if body :raw :contains "MAKE MONEY FAST" {
	discard;
}
