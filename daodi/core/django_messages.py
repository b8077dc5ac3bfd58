"""Django's own messages that its zh_Hans catalogue does not translate yet.

Django 5.2 changed the msgid of the short-password error (``%d`` for ``%(min_length)d``)
and its shipped Chinese catalogue still has only the old one, so a Chinese page said
"This password is too short" in English. Naming the messages here collects them into our
catalogue (daodi/locale, which LOCALE_PATHS puts before Django's own), where they are
translated. Nothing imports this module; ``makemessages`` reads it.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = [
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        8,
    ),
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
]
