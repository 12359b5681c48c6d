require "fileinto";
fileinto :flags "\\Seen" "Box";
