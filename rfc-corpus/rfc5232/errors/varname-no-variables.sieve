require "imap4flags";
setflag "flagvar" "\\Seen";
