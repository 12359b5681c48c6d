require ["vacation", "variables"];
set "me" "not an address";
vacation :from "${me}" "I am away";
