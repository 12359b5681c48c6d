require ["imap4flags", "variables"];
setflag;
