require ["vacation-seconds"];
vacation :handle "auto-resp" :seconds 0
    "Your request has been received.  A service
     representative will contact you as soon as
     possible, usually within one business day.";
