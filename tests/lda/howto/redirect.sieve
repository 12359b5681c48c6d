if header :contains "Subject" "Foo Bar"
{
redirect "jdoe@example.com";
}
