require "ihave";

# 4: variables and encoded-character cannot be enabled by ihave
if ihave "variables" {
	set "a" "b";
}
if ihave "encoded-character" {
	discard;
}
if ihave ["fileinto", "variables"] {
	fileinto "Never";
}
keep;
