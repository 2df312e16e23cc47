"""Affiliates (tenants), accounts and roles, audit events and the shared UI."""
