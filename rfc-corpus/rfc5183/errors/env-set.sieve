require ["vnd.dovecot.environment", "variables"];

set "env.host" "x";
