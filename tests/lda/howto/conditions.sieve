require ["fileinto"];
if address :domain "From" "qq.com" {
fileinto "QQ";
} elsif anyof (header :contains "X-Foo" "Bar", header :contains "X-Baz" "Qux") {
fileinto "Foo";
} elsif header :contains "Subject" ["Foo", "Bar"] {
discard;
} else {
keep;
}
