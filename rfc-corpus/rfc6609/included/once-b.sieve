require "include";
include :once "once-a";
