require ["vnd.dovecot.duplicate", "duplicate"];
if duplicate { discard; }
