frobnicate;
if header "subject" {
  keep;
}
keep;
elsif true { stop; }
