require "reject";
reject "Still not wanted.";
