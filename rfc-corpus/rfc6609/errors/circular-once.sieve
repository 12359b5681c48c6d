require "include";
include "once-a";
