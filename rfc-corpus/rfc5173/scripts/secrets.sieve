require ["body", "fileinto"];
# RFC 5173 5.2
if body :content "text" :contains ["missile", "coordinates"] {
	fileinto "secrets";
}
if body :content "audio/mp3" :contains "" {
	fileinto "jukebox";
}
