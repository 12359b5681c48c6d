require "vacation-seconds";
vacation :seconds "60" "I am away";
