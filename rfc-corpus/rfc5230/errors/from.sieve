require "vacation";
vacation :from "roadrunner at acme" "I am away";
