# A typical user script, the kind the admin howto teaches: sort a mailing
# list, file spam flagged by the subject, forward a topic, keep the rest.
require ["fileinto", "envelope", "mailbox"];

if header :contains "List-Id" "<dev.lists.example.org>" {
	fileinto :create "Lists.dev";
	stop;
}

if anyof (header :contains "Subject" "[SPAM]",
          header :is "X-Spam-Flag" "YES") {
	fileinto :create "Spam";
	stop;
}

if address :domain "From" "qq.com" {
	discard;
	stop;
}

if header :contains "Subject" "Foo Bar" {
	redirect "jdoe@example.com";
}
