require "vacation";
vacation :subject "Away";
