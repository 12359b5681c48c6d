require "duplicate";
duplicate;
