require "vacation";
vacation "from the user script";
