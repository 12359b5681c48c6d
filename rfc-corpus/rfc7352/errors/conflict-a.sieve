require "duplicate";
require "vnd.dovecot.duplicate";
if duplicate { discard; }
