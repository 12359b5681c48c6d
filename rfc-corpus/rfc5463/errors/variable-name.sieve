require ["ihave", "variables"];

# the capabilities are constant strings
set "ext" "fileinto";
if ihave "${ext}" {
	keep;
}
