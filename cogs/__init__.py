"""Slash-command glue: options in, rendered payloads out.  Nothing else lives here."""
