require "vnd.dovecot.duplicate";
if duplicate :value "x" :handle "h" :seconds 10 :last { discard; }
