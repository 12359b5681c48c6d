require ["include", "variables"];
include "stopper";
discard;
