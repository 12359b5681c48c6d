# Every currentdate test of a run sees the same instant (RFC 5260 5):
# the seconds read by the first test are those of the last one.
require ["date", "variables", "fileinto"];

if currentdate :matches "second" "*" { set "first" "${0}"; }
if currentdate :matches "iso8601" "*" { set "iso" "${0}"; }
if currentdate :matches "second" "*" { set "last" "${0}"; }
if allof(string :is "${first}" "${last}",
         string :matches "${iso}" "*:${first}*") {
	fileinto "same";
} else {
	discard;
}
