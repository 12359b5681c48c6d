require ["imap4flags", "variables"];
set "n" "v";
setflag "${n}" "\\Seen";
