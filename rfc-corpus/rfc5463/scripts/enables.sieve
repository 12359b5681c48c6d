require "ihave";

# 4 (1): after a successful ihave the extension is usable to the end of
# the script, outside the block too
if ihave ["fileinto", "copy"] {
	fileinto :copy "Guarded";
}
fileinto "After";
