require ["fileinto", "mailbox"];
fileinto :create "Work";
