require "vacation";
vacation :addresses 5 "I am away";
