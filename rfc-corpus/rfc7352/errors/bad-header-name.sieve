require "duplicate";
if duplicate :header "bad name:" { discard; }
if duplicate :header "" { discard; }
