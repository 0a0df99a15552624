"""The one exception of the mail run."""


class MailError(Exception):
    """The mail run cannot start: no manifest, incomplete SMTP settings, a broken template, a refused login."""
