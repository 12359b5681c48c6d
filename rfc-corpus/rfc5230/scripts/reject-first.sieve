require ["vacation", "reject"];
reject "No thanks";
vacation "I am away";
