require "ihave";

# 4 (1): the extension cannot be used before the ihave test
fileinto "Early";
if ihave "fileinto" {
	fileinto "Late";
}
