require ["include"];
global "x";
keep;
