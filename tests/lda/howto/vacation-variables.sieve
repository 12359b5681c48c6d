require ["vacation", "variables"];
if header :matches "subject" "*" {
vacation :days 3 :subject "Re: ${1}" "Bonjour,
Je suis indispo jusqu'au DD/MM/YYYY.
";
}
