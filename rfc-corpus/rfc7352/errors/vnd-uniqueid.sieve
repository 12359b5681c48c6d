require "vnd.dovecot.duplicate";
if duplicate :uniqueid "x" { discard; }
