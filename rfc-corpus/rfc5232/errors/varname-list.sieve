require ["imap4flags", "variables"];
removeflag ["a", "b"] "\\Seen";
