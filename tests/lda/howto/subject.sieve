require ["fileinto", "copy"];

if header :contains ["Subject"] ["testsieve"] {
fileinto "Test";
}
