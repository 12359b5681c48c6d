require ["body", "comparator-i;ascii-numeric"];
if body :comparator "i;ascii-numeric" :contains "1" { keep; }
