require ["include", "variables"];
set "n" "counter";
include "${n}";
include :personal :global "counter";
include "../counter";
include "";
