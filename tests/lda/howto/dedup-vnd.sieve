require ["fileinto","vnd.dovecot.duplicate"];

if duplicate {
fileinto "Trash";
}

# Si on est sûr de vouloir les supprimer
#if duplicate {
# discard;
#}
