"""The one family of errors a person reads: what went wrong as a message key and its
parameters, translated where it is shown (a page, the command line), never a traceback.

Two branches: ``core.db.StoreError`` (the store or the configuration cannot be used: the
whole app stops and says so) and ``services.errors.ServiceError`` (this one action was
refused: bad input, no permission, a conflict). ``ui.components.show_problem`` shows
either; ``manage.py`` prints either as one line.
"""


class LiaisonError(Exception):
    message_key = "error.generic"

    def __init__(self, message_key: str | None = None, **params: object):
        self.message_key = message_key or self.message_key
        self.params = params
        super().__init__(self.message_key, params)
