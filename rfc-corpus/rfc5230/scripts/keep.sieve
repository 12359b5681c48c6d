require ["vacation", "fileinto"];
vacation "I am away";
fileinto "Away";
