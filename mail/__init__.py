"""Mail adapters: IMAP source (imapclient) and SMTP sink (aiosmtplib)."""
