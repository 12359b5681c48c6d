require "duplicate";
if duplicate :value "x" { discard; }
