require ["vnd.dovecot.environment", "variables", "fileinto"];

fileinto "${env.vnd.dovecot.default_mailbox}.Archive";
