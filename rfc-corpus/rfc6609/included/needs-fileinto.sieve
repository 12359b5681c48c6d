fileinto "Somewhere";
