require ["imap4flags", "variables"];
setflag "x" "${y}" "\\Seen";
