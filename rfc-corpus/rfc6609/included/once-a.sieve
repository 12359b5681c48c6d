require "include";
include :once "once-b";
