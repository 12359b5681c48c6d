# RFC 5232 section 9, the extended example, adapted: "remove" in the
# RFC's text is removeflag, the first anyof gets its parentheses; sizes scaled down so that test messages can
# be "big" (over 100 bytes instead of 1M).
require ["fileinto", "imap4flags", "variables"];

if size :over 100
        {
        addflag "MyFlags" "Big";
        if header :is "From" "boss@company.example.com"
                   {
                   addflag "MyFlags" "\\Flagged";
                   }
        fileinto :flags "${MyFlags}" "Big messages";
        }

if header :is "From" "grandma@example.net"
        {
        addflag "MyFlags" ["\\Answered", "$MDNSent"];
        fileinto :flags "${MyFlags}" "GrandMa";
        }

if header :is "Sender" "owner-ietf-mta-filters@example.org"
        {
        set "MyFlags" "\\Flagged $Work";
        keep :flags "${MyFlags}";
        }
elsif anyof (address :domain :is ["From", "To"] "company.example.com")
        {
        keep :flags "${MyFlags}";
        }
elsif anyof (not address :all :contains
               ["To", "Cc"] "me@company.example.com",
             header :matches "subject"
               ["*make*money*fast*", "*university*dipl*mas*"])
        {
        removeflag "MyFlags" "\\Flagged";
        fileinto :flags "${MyFlags}" "spam";
        }
else
        {
        fileinto :flags "${MyFlags}" "personal";
        }
