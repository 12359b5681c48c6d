require ["include", "fileinto"];
/* the includer's require does not pass on to the included script */
include "needs-fileinto";
