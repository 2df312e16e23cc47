"""The demo data: affiliates, partners, partnerships and helpdesk requests to try the Hub with."""
