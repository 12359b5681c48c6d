require ["vacation", "reject"];
vacation "I am away";
reject "No thanks";
