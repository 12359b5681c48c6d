require ["date", "variables", "fileinto", "mailbox"];

if currentdate :matches "month" "*" { set "month" "${1}"; }
if currentdate :matches "year"  "*" { set "year"  "${1}"; }
fileinto :create "${month}-${year}";
