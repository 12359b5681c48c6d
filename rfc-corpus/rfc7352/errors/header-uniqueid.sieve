require "duplicate";
if duplicate :header "X-Id" :uniqueid "abc" { discard; }
if duplicate :uniqueid "abc" :handle "h" :header "X-Id" { discard; }
