#!/bin/sh
# environment.sh BUILD SRC -- what deliver tells scripts about itself:
# recipient_delimiter for subaddress (RFC 5233), the environment items
# (RFC 5183: host and domain from hostname, location MDA, phase during)
# and vnd.dovecot.environment (user name, default mailbox, sieve_env_*).
set -u
B=$1
S=$2
. "$S/tests/lda/env.inc"
JH=$T/home/jdoe
cat >> "$T/tamis.conf" <<EOT
recipient_delimiter = -+
plugin {
  sieve_extensions = +vnd.dovecot.environment
  sieve_env_team = ops
}
EOT

# 1. subaddress with the configured delimiters: the first found splits
printf 'require ["envelope", "subaddress", "fileinto", "mailbox", "variables"];\nif envelope :matches :detail "to" "*" { fileinto :create "Detail.${1}"; }\n' > "$JH/.dovecot.sieve"
msg e1 "detail" | deliver jdoe@example.com -r jdoe-lists+sieve@example.com
expect_eq "$(rc)" 0 "subaddress: exit 0"
expect_eq "$(count "$JD/.Detail.lists+sieve")" 1 "recipient_delimiter -+ splits at the first of its characters"

# 2. environment items as deliver reports them
cat > "$JH/.dovecot.sieve" <<'EOS'
require ["environment", "fileinto", "mailbox", "variables"];
if allof (environment :is "location" "MDA",
	  environment :is "phase" "during",
	  environment :is "host" "mx.example.com",
	  environment :is "domain" "example.com") {
	fileinto :create "Env";
}
EOS
msg e2 "env" | deliver jdoe@example.com
expect_eq "$(count "$JD/.Env")" 1 "location MDA, phase during, host and domain from hostname"

# 3. vnd.dovecot.environment: user name, default mailbox, sieve_env_*
cat > "$JH/.dovecot.sieve" <<'EOS'
require ["vnd.dovecot.environment", "fileinto", "mailbox", "variables"];
if environment :is "vnd.dovecot.username" "jdoe@example.com" {
	fileinto :create "${env.vnd.dovecot.config.team}.${env.vnd.dovecot.default_mailbox}";
}
EOS
msg e3 "vnd" | deliver jdoe@example.com -m Work
expect_eq "$(count "$JD/.ops.Work")" 1 "username, -m as the default mailbox, sieve_env_team"

finish
