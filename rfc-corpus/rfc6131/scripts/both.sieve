require ["vacation", "vacation-seconds"];
vacation :seconds 60 "back in a minute";
