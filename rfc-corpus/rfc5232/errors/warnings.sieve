require ["imap4flags", "fileinto"];
setflag "\\Seen \\Unknown";
fileinto :flags "a]b" "Box";
