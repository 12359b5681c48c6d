require ["fileinto", "mailbox"];
fileinto :create "Work";
keep;
