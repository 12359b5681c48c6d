require ["copy", "fileinto"];
fileinto :copy "yes" "Box";
