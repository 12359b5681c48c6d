require ["fileinto", "mailbox"];
fileinto :create "Other";
