require ["imap4flags", "variables"];
if hasflag ["ok", "not-ok"] "\\Seen" { keep; }
