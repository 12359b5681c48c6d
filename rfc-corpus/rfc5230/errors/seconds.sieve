require "vacation";
vacation :seconds 60 "I am away";
