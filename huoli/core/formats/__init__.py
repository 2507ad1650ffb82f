"""Date and time formats where Django's own do not suit the line (settings.FORMAT_MODULE_PATH):
every staff language writes the day before the month and the hours 0-23 (issue 21). Finnish
keeps Django's formats (1.3.2027, 15.58); what is not set here falls back to Django's."""
