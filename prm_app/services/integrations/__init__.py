"""What leaves the app: mail, webhooks, their shared outbox, and the retention of both."""
