require "duplicate";
if duplicate "positional" { discard; }
if duplicate :header 12 { discard; }
if duplicate :uniqueid ["a", "b"] { discard; }
if duplicate :seconds "60" { discard; }
if duplicate :handle { discard; }
if duplicate :last :last { discard; }
if duplicate :days 3 { discard; }
if duplicate :seconds :last { discard; }
