require ["imap4flags", "variables"];
addflag "1st" "\\Seen";
