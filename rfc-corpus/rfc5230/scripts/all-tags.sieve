require "vacation";
vacation :days 3 :subject "Out of office" :from "Roadrunner <roadrunner@acme.example.com>"
	:addresses ["rr@acme.example.com"] :mime :handle "office"
"Content-Type: text/plain; charset=us-ascii

Meep meep.
";
