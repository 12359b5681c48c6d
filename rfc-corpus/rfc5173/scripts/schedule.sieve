require ["body", "fileinto"];
# RFC 5173 5.3
if body :text :contains "project schedule" {
	fileinto "project/schedule";
}
