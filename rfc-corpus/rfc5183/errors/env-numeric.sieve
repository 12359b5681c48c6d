require ["vnd.dovecot.environment", "variables", "fileinto"];

fileinto "${env.1}";
