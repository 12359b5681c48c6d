require "body";
if body :raw { keep; }
