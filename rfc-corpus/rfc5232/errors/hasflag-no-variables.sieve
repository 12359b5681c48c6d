require "imap4flags";
if hasflag "vars" "\\Seen" { keep; }
