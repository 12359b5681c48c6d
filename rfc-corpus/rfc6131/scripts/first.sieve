require "vacation-seconds";
vacation :seconds 3600 "from the global script";
