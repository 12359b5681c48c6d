require ["environment", "variables", "fileinto"];

fileinto "${env.location}";
