require "vacation";
vacation :mime "text" "I am away";
