require "ihave";

if ihave :is "fileinto" {
	keep;
}
error;
error 42;
